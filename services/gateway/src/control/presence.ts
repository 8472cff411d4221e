/**
 * The gateway's presence on core NATS (README, Invalidation): a heartbeat every
 * GATEWAY_HEARTBEAT_MS with its id, applied invalidation sequence and answer counts, so the
 * invalidation service knows which gateways are live (and `cairn status` their hit ratio); and an acknowledgement per invalidation event
 * applied while live. Core NATS, not JetStream: a missed beat is replaced by the next one,
 * and an ack matters only to a request waiting for it now.
 */
import { encodeMessage, GATEWAY_HEARTBEAT_MS, subjects, type GatewayHeartbeat, type InvalidationAck, type Logger } from '@cairn/shared';
import type { NatsConnection } from 'nats';

export class GatewayPresence {
  readonly #nc: NatsConnection;
  readonly #gatewayId: string;
  readonly #state: () => Omit<GatewayHeartbeat, 'gatewayId' | 'sentAt'>;
  readonly #logger: Logger;
  #timer: NodeJS.Timeout | undefined;

  constructor(nc: NatsConnection, gatewayId: string, state: () => Omit<GatewayHeartbeat, 'gatewayId' | 'sentAt'>, logger: Logger) {
    this.#nc = nc;
    this.#gatewayId = gatewayId;
    this.#state = state;
    this.#logger = logger;
  }

  start(): void {
    this.#beat();
    this.#timer = setInterval(() => this.#beat(), GATEWAY_HEARTBEAT_MS);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  ack(eventId: string, seq: number, deleted: number): void {
    const ack: InvalidationAck = { eventId, seq, gatewayId: this.#gatewayId, deleted };
    this.#publish(subjects.invalidationAcks, ack);
  }

  #beat(): void {
    const heartbeat: GatewayHeartbeat = { gatewayId: this.#gatewayId, ...this.#state(), sentAt: new Date().toISOString() };
    this.#publish(subjects.gatewayHeartbeats, heartbeat);
  }

  #publish(subject: string, payload: unknown): void {
    if (this.#nc.isClosed()) return;
    try {
      this.#nc.publish(subject, encodeMessage(payload));
    } catch (err) {
      // Disconnected: nats.js buffers while reconnecting; a closed connection throws.
      this.#logger.warn({ err, subject }, 'presence publish failed');
    }
  }
}
