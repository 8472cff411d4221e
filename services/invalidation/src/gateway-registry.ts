/**
 * Which gateways are live (DESIGN.md §5): every gateway heartbeats on core NATS; one seen
 * within GATEWAY_LIVENESS_MS is live. Heartbeats that do not decode are logged and counted.
 */
import { decodeMessage, GATEWAY_LIVENESS_MS, gatewayHeartbeatSchema, subjects, type GatewayHeartbeat, type Logger } from '@cairn/shared';
import type { NatsConnection, Subscription } from 'nats';
import type { InvalidationMetrics } from './metrics.js';

export interface GatewayState extends GatewayHeartbeat {
  /** When this service last heard from it (ms, its own clock). */
  seenAt: number;
}

export class GatewayRegistry {
  readonly #gateways = new Map<string, GatewayState>();
  #subscription: Subscription | undefined;

  start(nc: NatsConnection, metrics: InvalidationMetrics, logger: Logger): void {
    this.#subscription = nc.subscribe(subjects.gatewayHeartbeats, {
      callback: (err, msg) => {
        if (err !== null) return logger.warn({ err }, 'heartbeat subscription failed');
        const decoded = decodeMessage(gatewayHeartbeatSchema, msg.data);
        if (!decoded.ok) {
          metrics.malformedMessages.inc({ subject: subjects.gatewayHeartbeats });
          return logger.warn({ issues: decoded.error }, 'malformed heartbeat');
        }
        this.#gateways.set(decoded.value.gatewayId, { ...decoded.value, seenAt: Date.now() });
      },
    });
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
