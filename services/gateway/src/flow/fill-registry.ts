/**
 * Request coalescing and hit-for-miss (docs/request-flow.md). One origin fetch per key at a time:
 * concurrent misses wait for the fill in flight and get its answer, but only a fill that
 * began after every invalidation applied so far (its answer may predate one). A key whose answer
 * could not be stored is remembered for HIT_FOR_MISS_MS, so requests for it go to the
 * origin at once instead of queueing behind a fetch whose answer they cannot share.
 */
import { LruCache } from '@cairn/shared';
import type { CacheEntry } from '../store/cache-entry.js';

/** What a fill hands to the requests that waited for it. */
export type FillResult =
  /**
   * A complete answer, stored or not (a 404 is shared with waiters, just not stored).
   * `afterFill`: the entry was complete before any of these requests asked (another worker's
   * committed fill, flow/shared-fill.ts), so each reads it as a HIT rather than a collapsed answer.
   */
  | { kind: 'entry'; entry: CacheEntry; stored: boolean; afterFill?: boolean }
  /** The origin failed: waiters fail the same way (502 / 504). */
  | { kind: 'error'; error: unknown }
  /** Per-client (Set-Cookie, private), too large or aborted: each waiter asks the origin itself. */
  | { kind: 'unshared' };

/** Keys remembered as hit-for-miss (or as a failed refresh) at most; the oldest are forgotten first. */
const HIT_FOR_MISS_KEYS = 10_000;
/**
 * How long after a failed background refresh (stale-while-revalidate, refresh-ahead, a
 * refresh invalidation) the key's hits go on without trying again: a failing origin gets one
 * attempt per key per worker in that time, not one per hit.
 */
export const REFRESH_RETRY_MS = 5_000;

/** A fill in flight: its result, and the invalidation sequence and feed epoch it began at. */
export interface Inflight {
  result: Promise<FillResult>;
  fillSeq: number;
  epoch: number;
}

export class FillRegistry {
  readonly #inflight = new Map<string, Inflight>();
  readonly #hitForMiss = new LruCache<string, number>(HIT_FOR_MISS_KEYS);
  readonly #hitForMissMs: number;
  readonly #refreshFailed = new LruCache<string, number>(HIT_FOR_MISS_KEYS);
  /** Told of every fill this process leads (fill replication announces it to the peers). */
  onLead: ((key: string, result: Promise<FillResult>) => void) | undefined;

  constructor(hitForMissMs: number) {
    this.#hitForMissMs = hitForMissMs;
  }

  /** The fill in flight for a key, if any. */
  inflight(key: string): Inflight | undefined {
    return this.#inflight.get(key);
  }

  /** Registers the fill for a key until it settles (replacing an older one still running). */
  lead(key: string, fill: Inflight): void {
    this.#inflight.set(key, fill);
    this.onLead?.(key, fill.result);
    void fill.result.finally(() => {
      if (this.#inflight.get(key) === fill) this.#inflight.delete(key);
    });
  }

  isHitForMiss(key: string, now: number): boolean {
    const until = this.#hitForMiss.get(key);
    return until !== undefined && until > now;
  }

  markHitForMiss(key: string, now: number): void {
    this.#hitForMiss.set(key, now + this.#hitForMissMs);
  }

  /** Whether a background refresh of the key failed less than REFRESH_RETRY_MS ago. */
  refreshFailedRecently(key: string, now: number): boolean {
    const until = this.#refreshFailed.get(key);
    return until !== undefined && until > now;
  }

  markRefreshFailed(key: string, now: number): void {
    this.#refreshFailed.set(key, now + REFRESH_RETRY_MS);
  }

  /** A stored answer ends hit-for-miss for its key. */
  clearHitForMiss(key: string): void {
    if (this.#hitForMiss.get(key) !== undefined) this.#hitForMiss.set(key, 0);
  }
}
