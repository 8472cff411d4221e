import { describe, expect, it } from 'vitest';
import { forbidsStale, parseCacheControl, requestDirectives } from './cache-control.js';

describe('parseCacheControl', () => {
  it('reads names case-insensitively, unquotes values and keeps the first of a repeated directive', () => {
    expect([...parseCacheControl('Max-Age=60, no-cache="set-cookie", max-age=5, private')]).toEqual([
      ['max-age', '60'],
      ['no-cache', 'set-cookie'],
      ['private', ''],
    ]);
  });
});

describe('requestDirectives', () => {
  it.each([
    [undefined, { revalidate: false, noStore: false, onlyIfCached: false }],
    ['no-cache', { revalidate: true, noStore: false, onlyIfCached: false }],
    ['max-age=0', { revalidate: true, noStore: false, onlyIfCached: false }],
    ['max-age=10', { revalidate: false, noStore: false, onlyIfCached: false }],
    ['no-store', { revalidate: false, noStore: true, onlyIfCached: false }],
    ['only-if-cached', { revalidate: false, noStore: false, onlyIfCached: true }],
    ['NO-CACHE, only-if-cached', { revalidate: true, noStore: false, onlyIfCached: true }],
  ])('%j → %j', (header, expected) => {
    expect(requestDirectives(header)).toEqual(expected);
  });
});

describe('forbidsStale', () => {
  it.each([
    ['max-age=60', false],
    ['max-age=60, must-revalidate', true],
    ['proxy-revalidate', true],
    ['s-maxage=30', true],
    [undefined, false],
  ])('%j: %s', (header, expected) => {
    expect(forbidsStale(header)).toBe(expected);
  });
});
