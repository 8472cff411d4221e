/**
 * Keeps the invalidation map current from CACHE_INVALIDATIONS (replay, then live) and
 * tracks the applied sequence new fills record as their fillSeq. When the stream is not
 * the one the store's entries were filled against, the entries are dropped first.
 */
import { decodeMessage, invalidationEventSchema, StreamFollower, streamNames, subjects, type Logger } from '@cairn/shared';
import type { JsMsg, NatsConnection } from 'nats';
import type { GatewayMetrics } from '../metrics.js';
import type { LmdbStore } from '../store/lmdb-store.js';
import { InvalidationMap } from './invalidation-map.js';

export class InvalidationFeed {
  readonly map = new InvalidationMap();
  readonly #follower: StreamFollower;
  readonly #store: LmdbStore;
  readonly #logger: Logger;
  readonly #metrics: GatewayMetrics;

  constructor(nc: NatsConnection, store: LmdbStore, metrics: GatewayMetrics, logger: Logger) {
    this.#store = store;
    this.#logger = logger;
    this.#metrics = metrics;
    this.#follower = new StreamFollower({
      nc,
      stream: streamNames.invalidations,
      filterSubject: subjects.allInvalidations,
      logger,
      onStart: (created, replayed) => this.#onStart(created, replayed),
      onMessage: (msg) => this.#apply(msg),
      onHandlerError: () => metrics.feedHandlerErrors.inc({ stream: streamNames.invalidations }),
    });
  }

  /** The last CACHE_INVALIDATIONS sequence applied to the map: a fill starting now records it. */
  get appliedSeq(): number {
    return this.#follower.lastSeq;
  }

  get caughtUp(): Promise<void> {
    return this.#follower.caughtUp;
  }

  get isCaughtUp(): boolean {
    return this.#follower.isCaughtUp;
  }

  start(): Promise<void> {
    return this.#follower.start();
  }

  stop(): Promise<void> {
    return this.#follower.stop();
  }

  async #onStart(created: string, replayed: boolean): Promise<void> {
    const recorded = this.#store.invalidationsStreamCreated;
    if (recorded !== created || replayed) {
      if (recorded !== undefined) {
        this.#logger.warn({ recorded, created, entries: this.#store.entryCount }, 'invalidation stream changed, dropping entries');
      }
      await this.#store.resetForStream(created);
    }
    this.map.clear();
  }

  #apply(msg: JsMsg): void {
    const decoded = decodeMessage(invalidationEventSchema, msg.data);
    if (!decoded.ok) {
      this.#logger.warn({ subject: msg.subject, seq: msg.seq, issues: decoded.error }, 'malformed message');
      this.#metrics.malformedMessages.inc({ stream: streamNames.invalidations });
      return;
    }
    this.map.apply(decoded.value, msg.seq);
    this.#metrics.invalidationsApplied.inc({ kind: decoded.value.kind });
    this.#logger.debug({ seq: msg.seq, kind: decoded.value.kind, key: decoded.value.key }, 'invalidation applied');
  }
}
