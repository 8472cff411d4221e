/**
 * What `cairn status` reports about the live gateways: their heartbeats (as the invalidation
 * service's `GET /gateways` lists them) against the newest invalidation event's sequence, and
 * each one's hit ratio from the answer counts its heartbeat carries.
 */
import type { GatewayHeartbeat, GatewayStatus as ListedGateway, LookupCounts } from '@cairn/shared';
import { hitRatioOf } from './hit-ratio.js';

export type { ListedGateway };

export interface GatewayStatus {
  gatewayId: string;
  appliedSeq: number;
  /** Invalidation events the gateway has not applied yet: the newest sequence minus its own. */
  lag: number;
  mode: GatewayHeartbeat['mode'];
  sentAt: string;
  /** Answers since the gateway started (absent from a heartbeat that does not carry them). */
  lookups: LookupCounts | undefined;
  /** (hit + stale) / (hit + stale + miss) of `lookups`; null before any lookup or without them. */
  hitRatio: number | null;
}

export function gatewayStatuses(gateways: readonly ListedGateway[], newestSeq: number): GatewayStatus[] {
  return gateways.map((g) => ({
    gatewayId: g.gatewayId,
    appliedSeq: g.appliedSeq,
    lag: Math.max(0, newestSeq - g.appliedSeq),
    mode: g.mode,
    sentAt: g.sentAt,
    lookups: g.lookups,
    hitRatio: g.lookups === undefined ? null : hitRatioOf(g.lookups.hit, g.lookups.stale, g.lookups.miss),
  }));
}
