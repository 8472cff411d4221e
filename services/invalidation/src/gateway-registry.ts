/**
 * Which gateways are live (DESIGN.md §5): every gateway heartbeats on core NATS; one seen
 * within GATEWAY_LIVENESS_MS is live. Heartbeats that do not decode are logged and counted.
 */
import { GATEWAY_LIVENESS_MS, gatewayHeartbeatSchema, subjects, type GatewayHeartbeat, type Logger } from '@cairn/shared';
import type { NatsConnection, Subscription } from 'nats';
import { subscribeToContract } from './contract-subscription.js';
import type { InvalidationMetrics } from './metrics.js';

export interface GatewayState extends GatewayHeartbeat {
  /** When this service last heard from it (ms, its own clock). */
  seenAt: number;
}

export class GatewayRegistry {
  readonly #gateways = new Map<string, GatewayState>();
  #subscription: Subscription | undefined;

  start(nc: NatsConnection, metrics: InvalidationMetrics, logger: Logger): void {
    this.#subscription = subscribeToContract(
      nc,
      subjects.gatewayHeartbeats,
      gatewayHeartbeatSchema,
      (heartbeat) => this.#gateways.set(heartbeat.gatewayId, { ...heartbeat, seenAt: Date.now() }),
      metrics,
      logger,
    );
  }

  stop(): void {
    this.#subscription?.unsubscribe();
  }

  /** Gateways heard from within GATEWAY_LIVENESS_MS; older ones are forgotten. */
  live(now = Date.now()): GatewayState[] {
    const live: GatewayState[] = [];
    for (const [id, state] of this.#gateways) {
      if (now - state.seenAt <= GATEWAY_LIVENESS_MS) live.push(state);
      else this.#gateways.delete(id);
    }
    return live.sort((a, b) => (a.gatewayId < b.gatewayId ? -1 : 1));
  }
}
