/**
 * Keeps the invalidation map current from CACHE_INVALIDATIONS (replay, then live). The
 * follower's last sequence is the applied sequence new fills record as their fillSeq.
 * When the stream is not the one the store's entries were filled against, the entries
 * are dropped first (DESIGN.md §5).
 */
import { invalidationEventSchema, StreamFollower, streamNames, subjects, type Logger } from '@cairn/shared';
import type { JsMsg, NatsConnection } from 'nats';
import type { GatewayMetrics } from '../metrics.js';
import type { LmdbStore } from '../store/lmdb-store.js';
import { decodeFeedMessage, type FeedSink } from './feed-message.js';
import { InvalidationMap } from './invalidation-map.js';

export class InvalidationFeed {
  readonly map = new InvalidationMap();
  readonly follower: StreamFollower;
  readonly #store: LmdbStore;
  readonly #sink: FeedSink;
  #epoch = 0;
  /** Called for each event applied once caught up (acknowledgements). */
  onApplied: ((eventId: string, seq: number, deleted: number) => void) | undefined;

  constructor(nc: NatsConnection, store: LmdbStore, metrics: GatewayMetrics, logger: Logger) {
    this.#store = store;
    this.#sink = { stream: streamNames.invalidations, logger, metrics };
    this.follower = new StreamFollower({
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
    return this.follower.lastSeq;
  }

  /**
   * Changes whenever the map is rebuilt from a (possibly other) stream. A fill that began in
   * another epoch holds a fillSeq from another sequence space and must not be stored.
   */
  get epoch(): number {
    return this.#epoch;
  }

  async #onStart(created: string, replayed: boolean): Promise<void> {
    this.#epoch++;
    const recorded = this.#store.invalidationsStreamCreated;
    if (recorded !== created || replayed) {
      if (recorded !== undefined) {
        this.#sink.logger.warn({ recorded, created, entries: this.#store.entryCount }, 'invalidation stream changed, dropping entries');
      }
      await this.#store.resetForStream(created);
    }
    this.map.clear();
  }

  #apply(msg: JsMsg): void {
    const event = decodeFeedMessage(this.#sink, invalidationEventSchema, msg);
    if (event === undefined) return;
    this.map.apply(event, msg.seq);
    if (this.follower.isCaughtUp) this.onApplied?.(event.id, msg.seq, 0);
    this.#sink.metrics.invalidationsApplied.inc({ kind: event.kind });
    this.#sink.logger.debug({ seq: msg.seq, kind: event.kind, key: event.key }, 'invalidation applied');
  }
}
