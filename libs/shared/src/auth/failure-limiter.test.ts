import { describe, expect, it } from 'vitest';
import { FailureLimiter } from './failure-limiter.js';

const limits = { windowMs: 60_000, delayAfter: 2, delayMs: 300, refuseAfter: 4, maxAddresses: 2 };

describe('failure limiter', () => {
  it('delays after delayAfter failures and refuses after refuseAfter, until the window ends', () => {
    const limiter = new FailureLimiter(limits);
    expect([1, 2, 3, 4].map(() => limiter.fail('a', 1000))).toEqual([0, 0, 300, 300]);
    expect(limiter.verdict('a', 1000)).toEqual({ kind: 'refuse', retryAfterSeconds: 60 });
    expect(limiter.verdict('a', 50_500)).toEqual({ kind: 'refuse', retryAfterSeconds: 11 });
    expect(limiter.verdict('b', 1000)).toEqual({ kind: 'allow' });
    expect(limiter.verdict('a', 61_000)).toEqual({ kind: 'allow' });
    expect(limiter.fail('a', 61_000)).toBe(0);
  });

  it('forgets the least recently failing address beyond its bound', () => {
    const limiter = new FailureLimiter(limits);
    for (let i = 0; i < 4; i++) limiter.fail('a', 0);
    limiter.fail('b', 0);
    limiter.fail('c', 0);
    expect(limiter.verdict('a', 0)).toEqual({ kind: 'allow' });
  });
});
