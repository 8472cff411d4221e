import { describe, expect, it } from 'vitest';
import { forbidsStale, responseDirectives } from './response-directives.js';

// RFC 9111 §4.2.4: must-revalidate, proxy-revalidate, s-maxage (§5.2.2.10) and no-cache forbid stale.
describe('forbidsStale (RFC 9111 §4.2.4)', () => {
  it.each([
    [{ 'cache-control': 'max-age=60' }, false],
    [{ 'cache-control': 'max-age=60, stale-while-revalidate=30' }, false],
    [{ 'cache-control': 'max-age=60, must-revalidate' }, true],
    [{ 'cache-control': 'MUST-REVALIDATE' }, true],
    [{ 'cache-control': 'proxy-revalidate' }, true],
    [{ 'cache-control': 's-maxage=30' }, true],
    [{ 'cache-control': 'no-cache' }, true],
    [{ 'cache-control': 'must-revalidate', 'cdn-cache-control': 'max-age=60' }, false],
    [{ 'cdn-cache-control': 'max-age=60, must-revalidate' }, true],
    [{}, false],
  ])('%j: %s', (fields, expected) => {
    expect(forbidsStale(responseDirectives(fields))).toBe(expected);
  });
});

// RFC 5861 §3, §4: the windows are delta-seconds; invalid ones are ignored.
describe('origin stale windows (RFC 5861)', () => {
  it.each([
    [{ 'cache-control': 'max-age=1, stale-while-revalidate=60, stale-if-error=86400' }, 60, 86400],
    [{ 'cache-control': 'Stale-While-Revalidate="30"' }, 30, undefined],
    [{ 'cache-control': 'stale-while-revalidate=1.5, stale-if-error=-1' }, undefined, undefined],
    [{ 'cache-control': 'stale-if-error=5', 'cairn-cache-control': 'max-age=1, stale-if-error=50' }, undefined, 50],
  ])('%j → swr %s, sie %s', (fields, swr, sie) => {
    const d = responseDirectives(fields);
    expect([d.staleWhileRevalidate, d.staleIfError]).toEqual([swr, sie]);
  });
});

// RFC 9213 §2.2: the first present, valid, non-empty field of the target list is used whole.
describe('which field governs (RFC 9213 §2.2)', () => {
  it.each([
    [{ 'cache-control': 'max-age=1' }, 'cache-control'],
    [{ 'cache-control': 'max-age=1', 'cdn-cache-control': 'max-age=2' }, 'cdn-cache-control'],
    [{ 'cdn-cache-control': 'max-age=2', 'cairn-cache-control': 'max-age=3' }, 'cairn-cache-control'],
    [{ 'cdn-cache-control': 'max-age=2', 'cairn-cache-control': 'Max-Age=3' }, 'cdn-cache-control'],
    [{ 'cdn-cache-control': ['max-age=2', 'private'] }, 'cdn-cache-control'],
    [{ 'cdn-cache-control': '' }, 'cache-control'],
  ])('%j → %s', (fields, source) => {
    expect(responseDirectives(fields).source).toBe(source);
  });

  it('reads a targeted field whole: its private counts, Cache-Control is ignored', () => {
    expect(responseDirectives({ 'cache-control': 'public, max-age=60', 'cdn-cache-control': 'private' })).toMatchObject({ private: true, public: false, maxAge: undefined });
  });
});
