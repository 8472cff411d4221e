/**
 * The fills peers announced they are making (fleet-wide coalescing, README, Active caching):
 * a miss on an announced key waits here for the peer's replica, at most until the
 * announcement's bound, rather than asking the origin as well.
 */

/** What ended a wait for a peer's fill: its replica stored here, its end without one, or the bound. */
export type PeerFillEnd = 'stored' | 'unstored' | 'timeout';

/** Keys remembered at most; past it, expired ones are dropped, else new ones ignored. */
export const ANNOUNCED_KEYS = 10_000;

interface Announced {
  until: number;
  waiters: Array<(end: PeerFillEnd) => void>;
}

export class PeerFills {
  readonly #waitMs: number;
  readonly #capacity: number;
  /** In insertion order, which is the order of the bounds: every bound is its arrival + the wait. */
  readonly #announced = new Map<string, Announced>();

  constructor(waitMs: number, capacity = ANNOUNCED_KEYS) {
    this.#waitMs = waitMs;
    this.#capacity = capacity;
  }

  get size(): number {
    return this.#announced.size;
  }

  /** A peer started filling `key`: misses may wait for it until now + the wait. */
  announce(key: string, now: number): void {
    const current = this.#announced.get(key);
    if (current === undefined && this.#announced.size >= this.#capacity && !this.#dropExpired(now)) return;
    // Re-inserted, so the map's order stays the order of the bounds.
    this.#announced.delete(key);
    this.#announced.set(key, { until: now + this.#waitMs, waiters: current?.waiters ?? [] });
  }

  /** Whether a peer is filling `key` and the announcement is recent enough to wait for. */
  filling(key: string, now: number): boolean {
    const announced = this.#announced.get(key);
    return announced !== undefined && announced.until > now;
  }

  /** Resolves when the peer's fill of `key` ended (`end`), or its bound passed. */
  wait(key: string, now: number): Promise<PeerFillEnd> {
    const announced = this.#announced.get(key);
    if (announced === undefined || announced.until <= now) return Promise.resolve('timeout');
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.end(key, 'timeout'), announced.until - now);
      announced.waiters.push((end) => {
        clearTimeout(timer);
        resolve(end);
      });
    });
  }

  /** The fill of `key` is over: its waiters go on (to the store, or to the origin). */
  end(key: string, end: PeerFillEnd): void {
    const announced = this.#announced.get(key);
    if (announced === undefined) return;
    this.#announced.delete(key);
    for (const wake of announced.waiters) wake(end);
  }

  /** Ends every wait (the gateway stops): the waiters ask the origin. */
  endAll(): void {
    for (const key of [...this.#announced.keys()]) this.end(key, 'timeout');
  }

  /**
   * Forgets the announcements nobody waits for that are past their bound, from the oldest up
   * to the first live one, so a full map costs only the expired entries; whether room was made.
   */
  #dropExpired(now: number): boolean {
    for (const [key, announced] of this.#announced) {
      if (announced.until > now) break;
      // A waiter's own timer ends it (its bound passed): the entry must stay to wake it.
      if (announced.waiters.length === 0) this.#announced.delete(key);
    }
    return this.#announced.size < this.#capacity;
  }
}
