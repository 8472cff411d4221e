import { describe, expect, it } from 'vitest';
import {
  buildCacheKey,
  compileCacheKeyConfig,
  keyedCookies,
  keyedFieldValue,
  keyedQuery,
  MAX_KEY_LENGTH,
  queryOf,
  urlInvalidationKeyOf,
  type CacheKeyConfig,
} from './cache-key.js';
import { normalizePath } from './normalize-path.js';

const config = (partial: Partial<CacheKeyConfig>): CacheKeyConfig =>
  compileCacheKeyConfig({ includeHeaders: [], includeQueryParams: [], includeCookies: [], ...partial });

describe('buildCacheKey', () => {
  it('is the cache name and the normalized path when nothing else is configured', () => {
    expect(buildCacheKey('page', { url: '/A/b?x=1', headers: {} }, config({}))).toBe('page:/a/b');
  });

  it('keeps a trailing slash, as one: /dir and /dir/ are different resources to an origin', () => {
    expect(buildCacheKey('page', { url: '/A/b//?x=1', headers: {} }, config({}))).toBe('page:/a/b/');
  });

  it('keeps only the listed query parameters, sorted by name, a repeated name in the order received', () => {
    const key = buildCacheKey('api', { url: '/s?z=1&b=2&a=2&a=1&utm=x', headers: {} }, config({ includeQueryParams: ['a', 'b', 'z'] }));
    expect(key).toBe('api:/s?a=2&a=1&b=2&z=1');
  });

  it('gives the same key whatever the order of distinct query names', () => {
    const c = config({ includeQueryParams: 'ALL' });
    expect(buildCacheKey('page', { url: '/s?b=2&a=1', headers: {} }, c)).toBe(buildCacheKey('page', { url: '/s?a=1&b=2', headers: {} }, c));
  });

  it('gives two keys to the two orders of a repeated query name, since origins disagree on which wins (#9)', () => {
    const c = config({ includeQueryParams: ['q'] });
    expect(buildCacheKey('page', { url: '/p?q=evil&q=good', headers: {} }, c)).not.toBe(buildCacheKey('page', { url: '/p?q=good&q=evil', headers: {} }, c));
  });

  it('includes only the configured headers and cookies, by sorted name', () => {
    const key = buildCacheKey(
      'page',
      { url: '/', headers: { 'accept-language': 'de', 'device-type': 'mobile', 'x-other': '1', cookie: 'session=s; brand=acme' } },
      config({ includeHeaders: ['Device-Type', 'accept-language'], includeCookies: ['brand'] }),
    );
    expect(key).toBe('page:/|h:accept-language=de|h:device-type=mobile|c:brand=acme');
  });

  it('separates the api and page caches', () => {
    expect(buildCacheKey('api', { url: '/x', headers: {} }, config({}))).not.toBe(buildCacheKey('page', { url: '/x', headers: {} }, config({})));
  });

  it('ends keys over the limit in an MD5 suffix and keeps them distinct', () => {
    const c = config({ includeQueryParams: 'ALL' });
    const long = (v: string) => buildCacheKey('page', { url: `/x?q=${'a'.repeat(2000)}${v}`, headers: {} }, c);
    expect(long('1').length).toBeLessThanOrEqual(MAX_KEY_LENGTH);
    expect(long('1')).toMatch(/^page#\/x\?q=a+#[0-9a-f]{32}$/);
    expect(long('1')).not.toBe(long('2'));
  });

  it.each([
    ['ü', 1500],
    ['ü', 999],
    ['€', 400],
    ['😀', 300],
    ['a', MAX_KEY_LENGTH - 'page:/|h:x-h='.length],
    ['a', MAX_KEY_LENGTH - 'page:/|h:x-h='.length + 1],
  ])('stays within MAX_KEY_LENGTH bytes for %j × %i in a header', (char, count) => {
    const key = buildCacheKey('page', { url: '/', headers: { 'x-h': char.repeat(count) } }, config({ includeHeaders: ['x-h'] }));
    expect(Buffer.byteLength(key)).toBeLessThanOrEqual(MAX_KEY_LENGTH);
    expect(key).not.toContain('\ufffd');
  });
});

describe('buildCacheKey is unambiguous (#9)', () => {
  const c = config({ includeHeaders: ['x-a', 'x-b'], includeQueryParams: 'ALL', includeCookies: ['k', 'l'] });
  const key = (url: string, headers: Record<string, string> = {}) => buildCacheKey('page', { url, headers }, c);

  it.each([
    ['a path that spells a header part', ['/p|h:x-a=1'], ['/p', { 'x-a': '1' }]],
    ['a query value that spells a header part', ['/p?q=1|h:x-a=1'], ['/p?q=1', { 'x-a': '1' }]],
    ['a header value that spells the next header', ['/p', { 'x-a': '1|h:x-b=2' }], ['/p', { 'x-a': '1', 'x-b': '2' }]],
    ['a header value that spells a cookie part', ['/p', { 'x-b': '1|c:k=v' }], ['/p', { 'x-b': '1', cookie: 'k=v' }]],
    ['a cookie value that spells the next cookie', ['/p', { cookie: 'k=1|c:l=2' }], ['/p', { cookie: 'k=1; l=2' }]],
    ['an escape in a value before a separator', ['/p', { 'x-a': '1\\|h:x-b=2' }], ['/p', { 'x-a': '1\\', 'x-b': '2' }]],
    ['a path that spells a query', ['/p%3fq=1'], ['/p?q=1']],
  ] as const)('%s gets its own key', (_, [urlA, headersA], [urlB, headersB]) => {
    expect(key(urlA, headersA)).not.toBe(key(urlB, headersB));
  });

  it('never gives two requests that a fill would send differently the same key', () => {
    // A seeded walk over inputs rich in the key's own separators and escape.
    let seed = 9;
    // mulberry32
    const next = (n: number) => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) % n;
    };
    const alphabet = ['|h:x-a=', '|h:x-b=', '|c:k=', '|c:l=', '|', '\\', ':', '=', '&', ';', '?', '/', 'a', '%7C', ' '];
    const word = () => Array.from({ length: next(5) }, () => alphabet[next(alphabet.length)]).join('');
    const seen = new Map<string, string>();
    for (let i = 0; i < 20_000; i++) {
      const url = `/${word()}${next(2) === 0 ? '' : `?${word()}=${word()}&${word()}`}`;
      const headers: Record<string, string> = {};
      if (next(2) === 0) headers['x-a'] = word();
      if (next(2) === 0) headers['x-b'] = word();
      if (next(2) === 0) headers.cookie = `k=${word()}; l=${word()}`;
      // What a fill sends for this request: the inputs the key must pin down.
      const sent = JSON.stringify([
        normalizePath(url),
        keyedQuery(queryOf(url), 'ALL'),
        keyedFieldValue(headers['x-a']) ?? null,
        keyedFieldValue(headers['x-b']) ?? null,
        keyedCookies(headers.cookie, ['k', 'l']),
      ]);
      const k = key(url, headers);
      const before = seen.get(k);
      if (before !== undefined) expect(before).toBe(sent);
      seen.set(k, sent);
    }
    expect(seen.size).toBeGreaterThan(1000);
  });

  it('keeps hashed keys where no verbatim key can be: a long key hashed never equals a verbatim one', () => {
    const one = config({ includeHeaders: ['x-h'] });
    const prefix = 'page:/|h:x-h=';
    const hashed = buildCacheKey('page', { url: '/', headers: { 'x-h': 'a'.repeat(2000) } }, one);
    expect(hashed.startsWith('page#')).toBe(true);
    // The issue's attack: a value that makes a verbatim key of exactly the hashed form's length and tail.
    const forged = buildCacheKey('page', { url: '/', headers: { 'x-h': hashed.slice(prefix.length) } }, one);
    expect(forged).toBe(`page:${hashed.slice('page#'.length)}`);
    expect(forged).not.toBe(hashed);
    for (const value of [hashed.slice('page#'.length), hashed.slice(prefix.length - 1), hashed]) {
      expect(buildCacheKey('page', { url: '/', headers: { 'x-h': value } }, one)).not.toBe(hashed);
    }
  });

  it('builds each key deterministically', () => {
    const headers = { 'x-a': 'ü'.repeat(900), cookie: 'k=1' };
    expect(buildCacheKey('api', { url: '/p?b=1&a=2', headers }, c)).toBe(buildCacheKey('api', { url: '/p?b=1&a=2', headers }, c));
  });
});

describe('keyedQuery', () => {
  it.each([
    ['', 'ALL', ''],
    ['a=1&b=2', 'ALL', 'a=1&b=2'],
    ['b=2&&a=1&', 'ALL', 'a=1&b=2'],
    ['a=1&utm=x&b=2', ['a', 'b'], 'a=1&b=2'],
    ['utm=x', ['a'], ''],
    ['q=evil&q=good', ['q'], 'q=evil&q=good'],
    ['z=1&q=good&a=0&q=evil', 'ALL', 'a=0&q=good&q=evil&z=1'],
    ['a&b=', ['a'], 'a'],
    ['a=%41', ['a'], 'a=%41'],
    ['a=1', [], ''],
  ] as const)('%j keeping %j → %j', (query, include, expected) => {
    expect(keyedQuery(query, include as readonly string[] | 'ALL')).toBe(expected);
  });
});

describe('keyedCookies', () => {
  it.each([
    ['lang=en; lang=de', ['lang'], ['lang=en']],
    [' theme = dark ;lang=de', ['lang', 'theme'], ['lang=de', 'theme=dark']],
    ['lang', ['lang'], []],
  ] as const)('%j keeping %j → %j', (header, include, expected) => {
    expect(keyedCookies(header, include)).toEqual(expected);
  });
});

describe('urlInvalidationKeyOf', () => {
  it.each([
    ['/Products/./1/', '/products/1'],
    ['/products/1?size=m&color=red', '/products/1?color=red&size=m'],
    ['https://shop.example/Products/1?b=2&a=1#top', '/products/1?a=1&b=2'],
    ['/products/1?', '/products/1'],
  ])('%s → %s', (url, key) => {
    expect(urlInvalidationKeyOf(url)).toBe(key);
  });
});
