/**
 * Keeps the invalidation map current from CACHE_INVALIDATIONS (replay, then live). The
 * follower's last sequence is the applied sequence new fills record as their fillSeq.
 * When the stream is not the one the store's entries were filled against, the entries
 * are dropped first (README, Invalidation).
 */
import {
  isFromInvalidationService,
  invalidationEventSchema,
  StreamFollower,
  streamNames,
  subjects,
  type InvalidationEvent,
  type Logger,
} from '@cairn/shared';
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
  /** Whether this feed deletes hard-invalidated entries (one worker of a node does: README, Workers). */
  readonly #reclaims: boolean;
  #epoch = 0;
  /** Called for each event applied once caught up (acknowledgements). */
  onApplied: ((eventId: string, seq: number, deleted: number) => void) | undefined;
  /** Called for each refresh event applied once caught up (at replay the refresh is long done). */
  onRefresh: ((event: InvalidationEvent, seq: number) => void) | undefined;

  constructor(nc: NatsConnection, store: LmdbStore, metrics: GatewayMetrics, logger: Logger, reclaims = true) {
    this.#store = store;
    this.#reclaims = reclaims;
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

  async #deleteAndAck(event: InvalidationEvent, seq: number): Promise<void> {
    let deleted = 0;
    const epoch = this.#epoch;
    try {
      if (this.#reclaims && event.mode === 'hard' && (event.kind === 'tag' || event.kind === 'url')) {
        const key = event.key as string;
        const q = key.indexOf('?');
        const path = q === -1 ? key : key.slice(0, q);
        deleted = await this.#store.deleteIndexed(event.kind, event.kind === 'tag' ? key : path, (meta) => {
          if (event.kind === 'tag' ? !meta.tags.includes(key) : meta.urlPath !== path) return 'unindex';
          if (q !== -1 && meta.urlQueryKey !== key) return 'keep';
          // Clock-free, like reads: only entries filled before the event go.
          return meta.fillSeq < seq && (event.cache === 'all' || event.cache === meta.cache) ? 'delete' : 'keep';
        });
      }
    } catch (err) {
      this.#sink.logger.error({ err, seq, kind: event.kind }, 'deleting invalidated entries failed');
    }
    if (epoch === this.#epoch) this.onApplied?.(event.id, seq, deleted);
  }

  /**
   * Only the invalidation service's events count (issue #9): one without its
   * `Cairn-Publisher` mark, or on another subject than its payload names (which would
   * replace that subject's latest state), is logged, counted and skipped. The key is
   * always the payload's: a long key's subject token is a digest.
   */
  #skipUntrusted(msg: JsMsg, problem: string): undefined {
    this.#sink.logger.warn({ subject: msg.subject.slice(0, 256), seq: msg.seq, problem }, 'untrusted event skipped');
    this.#sink.metrics.untrustedEvents.inc({ stream: this.#sink.stream });
    return undefined;
  }

  #trustedEvent(msg: JsMsg): InvalidationEvent | undefined {
    if (!isFromInvalidationService(msg.headers)) return this.#skipUntrusted(msg, 'not written by the invalidation service');
    const event = decodeFeedMessage(this.#sink, invalidationEventSchema, msg);
    if (event === undefined) return undefined;
    if (msg.subject !== subjects.invalidation(event.kind, event.cache, event.key, event.mode)) return this.#skipUntrusted(msg, 'subject does not match the event');
    return event;
  }

  #apply(msg: JsMsg): void {
    const event = this.#trustedEvent(msg);
    if (event === undefined) return;
    this.map.apply(event, msg.seq);
    // The map alone decides validity; deleting through the indexes reclaims space. It runs
    // for live events only: at replay it would cost a transaction per retained event.
    if (this.follower.isCaughtUp) {
      void this.#deleteAndAck(event, msg.seq);
      if (event.mode === 'refresh') this.onRefresh?.(event, msg.seq);
    }
    this.#sink.metrics.invalidationsApplied.inc({ kind: event.kind });
    this.#sink.logger.debug({ seq: msg.seq, kind: event.kind, key: event.key }, 'invalidation applied');
  }
}
