import { describe, expect, it } from 'vitest';
import { requestDirectives, revalidationDemand, type RequestDirectives } from './request-directives.js';

const none: RequestDirectives = { noCache: false, maxAgeSeconds: undefined, minFreshSeconds: undefined, noStore: false, onlyIfCached: false };

describe('requestDirectives (RFC 9111 §5.2.1, §5.4)', () => {
  it.each<[string | string[] | undefined, string | undefined, Partial<RequestDirectives>]>([
    [undefined, undefined, {}],
    ['no-cache', undefined, { noCache: true }],
    // §5.2: directive names are case-insensitive.
    ['No-CaChE', undefined, { noCache: true }],
    ['MAX-AGE=0', undefined, { maxAgeSeconds: 0 }],
    ['max-age=10', undefined, { maxAgeSeconds: 10 }],
    ['max-age="10"', undefined, { maxAgeSeconds: 10 }],
    // §1.2.2 delta-seconds is 1*DIGIT: anything else is not a max-age the cache can honour.
    ['max-age=-1', undefined, {}],
    ['max-age=1.5', undefined, {}],
    ['max-age', undefined, {}],
    ['max-age=99999999999999', undefined, { maxAgeSeconds: 2 ** 31 }],
    ['min-fresh=30', undefined, { minFreshSeconds: 30 }],
    ['no-store', undefined, { noStore: true }],
    ['only-if-cached', undefined, { onlyIfCached: true }],
    ['NO-CACHE, Only-If-Cached', undefined, { noCache: true, onlyIfCached: true }],
    [['no-store', 'max-age=5'], undefined, { noStore: true, maxAgeSeconds: 5 }],
    // §5.4: Pragma: no-cache counts only when there is no Cache-Control field.
    [undefined, 'no-cache', { noCache: true }],
    [undefined, 'No-Cache', { noCache: true }],
    [undefined, 'x-foo, no-cache', { noCache: true }],
    [undefined, 'x-foo', {}],
    ['max-age=60', 'no-cache', { maxAgeSeconds: 60 }],
    ['', 'no-cache', {}],
  ])('Cache-Control %j, Pragma %j → %j', (cacheControl, pragma, expected) => {
    expect(requestDirectives(cacheControl, pragma)).toEqual({ ...none, ...expected });
  });
});

describe('revalidationDemand', () => {
  const hour = 3_600_000;
  it.each<[string | undefined, string | undefined, number, number, ReturnType<typeof revalidationDemand>, ReturnType<typeof revalidationDemand>]>([
    // [Cache-Control, Pragma, age ms, remaining freshness ms, under honor, under ignore]
    ['no-cache', undefined, 0, hour, 'request-no-cache', undefined],
    [undefined, 'no-cache', 0, hour, 'request-no-cache', undefined],
    // §5.2.1.1: max-age=0 asks for validation even of a response stored this second.
    ['max-age=0', undefined, 0, hour, 'request-max-age', undefined],
    ['max-age=60', undefined, 60_999, hour, undefined, undefined],
    ['max-age=60', undefined, 61_000, hour, 'request-max-age', undefined],
    // §5.2.1.3: min-fresh wants at least N more seconds of freshness.
    ['min-fresh=60', undefined, 0, 60_000, undefined, undefined],
    ['min-fresh=60', undefined, 0, 59_999, 'request-min-fresh', undefined],
    ['min-fresh=60', undefined, 0, Infinity, undefined, undefined],
    ['max-age=600, min-fresh=10', undefined, 1000, hour, undefined, undefined],
    // Neither stores nor validates: honoured the same in both modes, elsewhere (lookup, store).
    ['no-store', undefined, 0, hour, undefined, undefined],
    ['only-if-cached', undefined, 0, hour, undefined, undefined],
    // §5.2.1.2: max-stale is not honoured; a fresh response always satisfies it.
    ['max-stale=60', undefined, 0, hour, undefined, undefined],
  ])('Cache-Control %j, Pragma %j, age %i ms, %d ms left: honor → %j, ignore → %j', (cacheControl, pragma, ageMs, remainingMs, honor, ignore) => {
    const directives = requestDirectives(cacheControl, pragma);
    expect(revalidationDemand(directives, 'honor', ageMs, remainingMs)).toBe(honor);
    expect(revalidationDemand(directives, 'ignore', ageMs, remainingMs)).toBe(ignore);
  });
});
