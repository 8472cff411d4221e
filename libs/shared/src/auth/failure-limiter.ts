/**
 * Failed logins per client address (README, Access control): after `delayAfter` failures in
 * a window the answer is delayed, after `refuseAfter` the address is refused (429) until the
 * window ends. Bounded: the least recently failing addresses are forgotten first.
 * Successful requests never consult it.
 */
import { LruCache } from '../rules/lru-cache.js';

export interface FailureLimits {
  windowMs: number;
  delayAfter: number;
  delayMs: number;
  refuseAfter: number;
  maxAddresses: number;
}

export const DEFAULT_FAILURE_LIMITS: FailureLimits = { windowMs: 60_000, delayAfter: 5, delayMs: 300, refuseAfter: 20, maxAddresses: 10_000 };

interface Failures {
  count: number;
  windowStart: number;
}

export type Verdict = { kind: 'allow' } | { kind: 'refuse'; retryAfterSeconds: number };

export class FailureLimiter {
  readonly #failures: LruCache<string, Failures>;
  readonly limits: FailureLimits;

  constructor(limits: FailureLimits = DEFAULT_FAILURE_LIMITS) {
    this.limits = limits;
    this.#failures = new LruCache(limits.maxAddresses);
  }

  #current(address: string, now: number): Failures | undefined {
    const failures = this.#failures.get(address);
    if (failures === undefined || now - failures.windowStart >= this.limits.windowMs) return undefined;
    return failures;
  }

  /** Before checking a credential: is this address refused for now? */
  verdict(address: string, now: number): Verdict {
    const failures = this.#current(address, now);
    if (failures === undefined || failures.count < this.limits.refuseAfter) return { kind: 'allow' };
    return { kind: 'refuse', retryAfterSeconds: Math.max(1, Math.ceil((failures.windowStart + this.limits.windowMs - now) / 1000)) };
  }

  /** Records a failure; returns how long to hold the 401 (0 below `delayAfter`). */
  fail(address: string, now: number): number {
    const failures = this.#current(address, now);
    const next = failures === undefined ? { count: 1, windowStart: now } : { count: failures.count + 1, windowStart: failures.windowStart };
    this.#failures.set(address, next);
    return next.count > this.limits.delayAfter ? this.limits.delayMs : 0;
  }
}
