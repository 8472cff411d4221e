/**
 * Acknowledgements of invalidation events by gateways (README, Invalidation), kept for the most
 * recent events so a REST call can wait for them and `GET /cache/invalidate/:id` can
 * report them later. Acks that do not decode are logged and counted; acks from a gateway
 * the registry does not list as live are counted and dropped, so one event never holds
 * more than GATEWAY_REGISTRY_MAX of them (issue #9).
 */
import { invalidationAckSchema, LruCache, subjects, type Logger } from '@cairn/shared';
import type { NatsConnection, Subscription } from 'nats';
import { subscribeToContract } from './contract-subscription.js';
import type { GatewayRegistry } from './gateway-registry.js';
import type { InvalidationMetrics } from './metrics.js';

/** Events whose acknowledgements are remembered. */
const TRACKED_EVENTS = 10_000;

export interface EventAcks {
  sequence: number | undefined;
  /** Gateway id → entries it deleted. */
  acknowledgedBy: Map<string, number>;
}

export class AckTracker {
  readonly #events = new LruCache<string, EventAcks>(TRACKED_EVENTS);
  readonly #waiters = new Map<string, Set<() => void>>();
  #subscription: Subscription | undefined;

  start(nc: NatsConnection, registry: GatewayRegistry, metrics: InvalidationMetrics, logger: Logger): void {
    this.#subscription = subscribeToContract(
      nc,
      subjects.invalidationAcks,
      invalidationAckSchema,
      ({ eventId, seq, gatewayId, deleted }) => {
        if (!registry.isLive(gatewayId)) return metrics.acksIgnored.inc();
        const acks = this.#acksFor(eventId);
        if (!acks.acknowledgedBy.has(gatewayId) && acks.acknowledgedBy.size >= registry.max) return metrics.acksIgnored.inc();
        acks.sequence ??= seq;
        acks.acknowledgedBy.set(gatewayId, deleted);
        for (const wake of this.#waiters.get(eventId) ?? []) wake();
      },
      metrics,
      logger,
    );
  }

  stop(): void {
    this.#subscription?.unsubscribe();
  }

  /** Records an event this service published, so its sequence is known before any ack. */
  published(eventId: string, sequence: number): void {
    this.#acksFor(eventId).sequence = sequence;
  }

  get(eventId: string): EventAcks | undefined {
    return this.#events.get(eventId);
  }

  /** Resolves when every named gateway has acknowledged the event, or after `timeoutMs`. */
  async waitFor(eventId: string, gatewayIds: readonly string[], timeoutMs: number): Promise<EventAcks> {
    const acks = this.#acksFor(eventId);
    const done = () => gatewayIds.every((id) => acks.acknowledgedBy.has(id));
    if (done()) return acks;
    await new Promise<void>((resolve) => {
      const waiters = this.#waiters.get(eventId) ?? new Set();
      this.#waiters.set(eventId, waiters);
      const finish = () => {
        clearTimeout(timer);
        waiters.delete(check);
        if (waiters.size === 0) this.#waiters.delete(eventId);
        resolve();
      };
      const check = () => {
        if (done()) finish();
      };
      const timer = setTimeout(finish, timeoutMs);
      waiters.add(check);
    });
    return acks;
  }

  #acksFor(eventId: string): EventAcks {
    let acks = this.#events.get(eventId);
    if (acks === undefined) {
      acks = { sequence: undefined, acknowledgedBy: new Map() };
      this.#events.set(eventId, acks);
    }
    return acks;
  }
}
