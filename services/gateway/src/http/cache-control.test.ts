import { describe, expect, it } from 'vitest';
import { forbidsStale, parseCacheControl } from './cache-control.js';

describe('parseCacheControl', () => {
  it('reads names case-insensitively, unquotes values and keeps the first of a repeated directive', () => {
    expect([...parseCacheControl('Max-Age=60, no-cache="set-cookie", max-age=5, private')]).toEqual([
      ['max-age', '60'],
      ['no-cache', 'set-cookie'],
      ['private', ''],
    ]);
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
