/**
 * What `cairn status` reports about the live gateways: their heartbeats (as the invalidation
 * service's `GET /gateways` lists them) against the newest invalidation event's sequence.
 */
import type { GatewayHeartbeat, GatewayStatus as ListedGateway } from '@cairn/shared';

export type { ListedGateway };

export interface GatewayStatus {
  gatewayId: string;
  appliedSeq: number;
  /** Invalidation events the gateway has not applied yet: the newest sequence minus its own. */
  lag: number;
  mode: GatewayHeartbeat['mode'];
  sentAt: string;
}

export function gatewayStatuses(gateways: readonly ListedGateway[], newestSeq: number): GatewayStatus[] {
  return gateways.map((g) => ({ gatewayId: g.gatewayId, appliedSeq: g.appliedSeq, lag: Math.max(0, newestSeq - g.appliedSeq), mode: g.mode, sentAt: g.sentAt }));
}
