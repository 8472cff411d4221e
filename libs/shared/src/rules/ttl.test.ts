import { describe, expect, it } from 'vitest';
import { MAX_TTL_SECONDS, parseDuration, parseTtl } from './ttl.js';

describe('parseTtl', () => {
  it.each([
    ['30s', 30],
    ['5m', 300],
    ['6h', 21_600],
    ['1d', 86_400],
    ['2w', 1_209_600],
    ['1y', 31_536_000],
  ])('reads %s as %i seconds', (ttl, seconds) => {
    expect(parseTtl(ttl)).toEqual({ kind: 'duration', seconds });
  });

  it.each(['origin_expires', 'never', 'no_cache'] as const)('reads the special policy %s', (ttl) => {
    expect(parseTtl(ttl)).toEqual({ kind: ttl });
  });

  it.each(['', '0s', '-1m', '1.5h', '10', 'm', '1 h', '1H', '01m', '5q', 'never ', 'NO_CACHE'])('rejects %j', (ttl) => {
    expect(parseTtl(ttl)).toBeUndefined();
  });

  it('rejects durations longer than ten years', () => {
    expect(parseTtl('10y')).toEqual({ kind: 'duration', seconds: MAX_TTL_SECONDS });
    expect(parseTtl('11y')).toBeUndefined();
  });
});

describe('parseDuration (stale windows)', () => {
  it.each([
    ['45s', 45],
    ['2m', 120],
    ['1d', 86_400],
  ])('reads %s as %i seconds', (duration, seconds) => {
    expect(parseDuration(duration)).toBe(seconds);
  });

  it.each(['never', 'origin_expires', 'no_cache', '0s', '11y'])('rejects %j, which is a TTL policy or out of range, not a duration', (duration) => {
    expect(parseDuration(duration)).toBeUndefined();
  });
});
