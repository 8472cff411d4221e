/**
 * Which gateways are live (README, Invalidation): every gateway heartbeats on core NATS; one seen
 * within GATEWAY_LIVENESS_MS is live, a silent one is forgotten. The registry holds at most
 * GATEWAY_REGISTRY_MAX ids (issue #9): heartbeats from further ids are refused, logged and
 * counted, so fake ids cannot grow memory, the wait of `POST /cache/invalidate` or its answer.
 */
import { GATEWAY_LIVENESS_MS, gatewayHeartbeatSchema, subjects, type GatewayHeartbeat, type GatewayStatus, type Logger } from '@cairn/shared';
import type { NatsConnection, Subscription } from 'nats';
import { subscribeToContract } from './contract-subscription.js';
import type { InvalidationMetrics } from './metrics.js';

export interface GatewayState extends GatewayHeartbeat {
  /** When this service last heard from it (ms, its own clock). */
  seenAt: number;
}

/** A gateway as `GET /gateways` shows it: times as ISO strings (README, REST answers). */
export function gatewayStatus({ seenAt, ...heartbeat }: GatewayState): GatewayStatus {
  return { ...heartbeat, lastSeenAt: new Date(seenAt).toISOString() };
}

/** A full registry sweeps out silent gateways at most this often (a flood of new ids must not make each heartbeat O(n)). */
const FULL_PRUNE_INTERVAL_MS = 250;

export class GatewayRegistry {
  readonly #gateways = new Map<string, GatewayState>();
  readonly #max: number;
  #subscription: Subscription | undefined;
  #prunedAt = 0;
  #refusedSinceLog = 0;
  #refusalLoggedAt = -Infinity;

  constructor(max: number) {
    this.#max = max;
  }

  /** The most gateways tracked at once (GATEWAY_REGISTRY_MAX). */
  get max(): number {
    return this.#max;
  }

  start(nc: NatsConnection, metrics: InvalidationMetrics, logger: Logger): void {
    this.#subscription = subscribeToContract(
      nc,
      subjects.gatewayHeartbeats,
      gatewayHeartbeatSchema,
      (heartbeat) => this.#record(heartbeat, Date.now(), metrics, logger),
      metrics,
      logger,
    );
  }

  stop(): void {
    this.#subscription?.unsubscribe();
  }

  #record(heartbeat: GatewayHeartbeat, now: number, metrics: InvalidationMetrics, logger: Logger): void {
    if (!this.#gateways.has(heartbeat.gatewayId) && this.#gateways.size >= this.#max) {
      if (now - this.#prunedAt >= FULL_PRUNE_INTERVAL_MS) this.#prune(now);
      if (this.#gateways.size >= this.#max) return this.#refuse(heartbeat.gatewayId, now, metrics, logger);
    }
    this.#gateways.set(heartbeat.gatewayId, { ...heartbeat, seenAt: now });
  }

  /** Counts every refusal; logs at most once per liveness window, with how many since the last line. */
  #refuse(gatewayId: string, now: number, metrics: InvalidationMetrics, logger: Logger): void {
    metrics.gatewaysRefused.inc();
    this.#refusedSinceLog++;
    if (now - this.#refusalLoggedAt < GATEWAY_LIVENESS_MS) return;
    logger.warn({ gatewayId, max: this.#max, refused: this.#refusedSinceLog }, 'gateway registry full');
    this.#refusalLoggedAt = now;
    this.#refusedSinceLog = 0;
  }

  #prune(now: number): void {
    this.#prunedAt = now;
    for (const [id, state] of this.#gateways) if (now - state.seenAt > GATEWAY_LIVENESS_MS) this.#gateways.delete(id);
  }

  isLive(gatewayId: string, now = Date.now()): boolean {
    const state = this.#gateways.get(gatewayId);
    return state !== undefined && now - state.seenAt <= GATEWAY_LIVENESS_MS;
  }

  /** Gateways heard from within GATEWAY_LIVENESS_MS, by id; older ones are forgotten. */
  live(now = Date.now()): GatewayState[] {
    this.#prune(now);
    return [...this.#gateways.values()].sort((a, b) => (a.gatewayId < b.gatewayId ? -1 : 1));
  }
}
