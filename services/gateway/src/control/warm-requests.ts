/**
 * Warming (README, Active caching): the invalidation service asks one gateway per URL to
 * fetch it for the fleet. That gateway fills it ahead of clients (its fill is replicated to
 * the peers); it and every peer that stores the replicated fill confirm on `warmAcks`, so
 * `GET /cache/warm/:id` can say which gateways have the URL. One worker of a node receives
 * each request (the node's queue group).
 */
import { decodeMessage, encodeMessage, subjects, warmRequestSchema, type Logger, type WarmAck, type WarmRequest } from '@cairn/shared';
import type { NatsConnection, Subscription } from 'nats';
import type { GatewayContext } from '../context.js';
import type { EntryMeta } from '../store/cache-entry.js';
import type { ActiveFills } from './active-fills.js';

export class WarmRequests {
  readonly #nc: NatsConnection;
  readonly #gatewayId: string;
  readonly #logger: Logger;
  #subscription: Subscription | undefined;

  constructor(nc: NatsConnection, gatewayId: string, logger: Logger) {
    this.#nc = nc;
    this.#gatewayId = gatewayId;
    this.#logger = logger;
  }

  start(context: GatewayContext, fills: ActiveFills): void {
    this.#subscription = this.#nc.subscribe(subjects.warmRequests, {
      queue: subjects.nodeQueue(this.#gatewayId),
      callback: (err, msg) => {
        if (err !== null) return this.#logger.warn({ err }, 'warm request subscription failed');
        const decoded = decodeMessage(warmRequestSchema, msg.data);
        if (!decoded.ok) {
          context.metrics.malformedMessages.inc({ stream: subjects.warmRequests });
          return this.#logger.warn({ problem: decoded.error }, 'malformed warm request skipped');
        }
        if (decoded.value.fetchBy === this.#gatewayId) void this.#warm(decoded.value, fills);
      },
    });
  }

  stop(): void {
    this.#subscription?.unsubscribe();
  }

  /** A peer's replicated fill for a warming was stored here. */
  storedReplica(warmId: string, meta: EntryMeta): void {
    this.#ack({ warmId, url: meta.url, gatewayId: this.#gatewayId, outcome: 'stored', fetched: false, status: meta.status });
  }

  async #warm(request: WarmRequest, fills: ActiveFills): Promise<void> {
    const result = await fills.run('warm', { url: request.url, fields: {}, cache: request.cache, force: false, warmId: request.warmId });
    this.#logger.debug({ warmId: request.warmId, url: request.url, ...result }, 'warmed');
    this.#ack({
      warmId: request.warmId,
      url: request.url,
      gatewayId: this.#gatewayId,
      outcome: result.outcome,
      fetched: result.outcome !== 'cached',
      ...(result.status === undefined ? {} : { status: result.status }),
      ...(result.reason === undefined ? {} : { reason: result.reason }),
    });
  }

  #ack(ack: WarmAck): void {
    try {
      this.#nc.publish(subjects.warmAcks, encodeMessage(ack));
    } catch (err) {
      this.#logger.warn({ err, warmId: ack.warmId }, 'warm ack not published');
    }
  }
}
