import { describe, expect, it } from 'vitest';
import { buildCacheKey, compileCacheKeyConfig, MAX_KEY_LENGTH, urlInvalidationKeyOf, type CacheKeyConfig } from './cache-key.js';

const config = (partial: Partial<CacheKeyConfig>): CacheKeyConfig =>
  compileCacheKeyConfig({ includeHeaders: [], includeQueryParams: [], includeCookies: [], ...partial });

describe('buildCacheKey', () => {
  it('is the cache name and the normalized path when nothing else is configured', () => {
    expect(buildCacheKey('page', { url: '/A/b/?x=1', headers: {} }, config({}))).toBe('page:/a/b');
  });

  it('keeps only the listed query parameters, sorted, duplicates kept in order', () => {
    const key = buildCacheKey('api', { url: '/s?z=1&b=2&a=2&a=1&utm=x', headers: {} }, config({ includeQueryParams: ['a', 'b', 'z'] }));
    expect(key).toBe('api:/s?a=1&a=2&b=2&z=1');
  });

  it('gives the same key whatever the query order', () => {
    const c = config({ includeQueryParams: 'ALL' });
    expect(buildCacheKey('page', { url: '/s?b=2&a=1', headers: {} }, c)).toBe(buildCacheKey('page', { url: '/s?a=1&b=2', headers: {} }, c));
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
    expect(long('1')).toMatch(/#[0-9a-f]{32}$/);
    expect(long('1')).not.toBe(long('2'));
  });

  it('stays under the LMDB key limit in bytes for multi-byte input', () => {
    const key = buildCacheKey('page', { url: '/', headers: { 'x-h': 'ü'.repeat(1500) } }, config({ includeHeaders: ['x-h'] }));
    expect(Buffer.byteLength(key)).toBeLessThan(1978);
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
