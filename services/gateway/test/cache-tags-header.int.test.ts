/**
 * The tag header (cacheTagsHeader) indexes stored answers by tag; clients get it only with
 * `exposeCacheTagsHeader: true`, as CDNs withhold Surrogate-Key and Cache-Tag (issue 15).
 */
import { eventually } from '@cairn/testing';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { cacheConfigurationSchema } from '../src/config.js';
import { startGatewayHarness, type GatewayHarness } from './gateway-harness.js';

describe('the tag header', () => {
  let h: GatewayHarness;
  const get = async (path: string, init?: RequestInit) => {
    const response = await fetch(`${h.gateway.url}${path}`, init);
    const body = await response.text();
    return { cache: response.headers.get('x-cairn-cache'), tags: response.headers.get('x-tags'), status: response.status, body };
  };

  async function start(expose?: boolean): Promise<void> {
    h = await startGatewayHarness(() => ({ cacheTagsHeader: 'x-tags', ...(expose === undefined ? {} : { exposeCacheTagsHeader: expose }) }), { WORKERS: '1' });
    await h.applyRule({ id: 'all', pathPatterns: ['^/.*$'], ttl: '1h' });
    await h.applyRule({ id: 'swr', pathPatterns: ['^/swr$'], ttl: '1s', staleWhileRevalidate: '1m' });
  }

  afterEach(async () => {
    await h.close();
  });

  it('is withheld from clients by default, on a MISS, a HIT and a pass alike', async () => {
    await start();
    h.origin.route('/news', { headers: { 'x-tags': 'news' } });
    expect(await get('/news')).toMatchObject({ cache: 'MISS', tags: null });
    expect(await get('/news')).toMatchObject({ cache: 'HIT', tags: null });
    expect(await get('/news', { headers: { 'x-cairn-cache-debug': 'true' } })).toMatchObject({ cache: 'HIT', tags: null });
    expect(await get('/news', { method: 'POST', body: 'x' })).toMatchObject({ cache: 'PASS', tags: null });
  });

  it('is withheld from a STALE answer by default', async () => {
    await start();
    h.origin.route('/swr', { headers: { 'x-tags': 'news' } });
    expect(await get('/swr')).toMatchObject({ cache: 'MISS', tags: null });
    await sleep(1100);
    expect(await get('/swr')).toMatchObject({ cache: 'STALE', tags: null });
  });

  it('still indexes the stored answer by its tags when withheld', async () => {
    await start();
    h.origin.route('/tagged', { headers: { 'x-tags': 'sports' } });
    await get('/tagged');
    expect((await get('/tagged')).cache).toBe('HIT');
    await h.invalidate({ kind: 'tag', cache: 'page', key: 'sports' });
    await eventually(async () => expect((await get('/tagged')).cache).toBe('MISS'));
  });

  it('is passed to clients with exposeCacheTagsHeader: true, on a MISS, a HIT and a STALE', async () => {
    await start(true);
    h.origin.route('/news', { headers: { 'x-tags': 'news' } });
    h.origin.route('/swr', { headers: { 'x-tags': 'swr' } });
    expect(await get('/news')).toMatchObject({ cache: 'MISS', tags: 'news' });
    expect(await get('/news')).toMatchObject({ cache: 'HIT', tags: 'news' });
    await get('/swr');
    await sleep(1100);
    expect(await get('/swr')).toMatchObject({ cache: 'STALE', tags: 'swr' });
  });
});

describe('exposeCacheTagsHeader', () => {
  const base = { defaultOrigin: 'http://127.0.0.1:1', defaultCacheKey: {}, cacheTagsHeader: 'x-tags' };

  it('defaults to false', () => {
    expect(cacheConfigurationSchema.parse(base).exposeCacheTagsHeader).toBe(false);
  });

  it('refuses a value that is not a boolean, naming the field', () => {
    const parsed = cacheConfigurationSchema.safeParse({ ...base, exposeCacheTagsHeader: 'yes' });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(['exposeCacheTagsHeader']);
  });
});
