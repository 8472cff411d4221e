/**
 * Targeted Cache-Control (RFC 9213; docs/http-semantics.md): `Cairn-Cache-Control`, then
 * `CDN-Cache-Control`, govern Cairn's freshness and storability over Cache-Control;
 * Cairn-Cache-Control never reaches a client, CDN-Cache-Control does unless
 * FORWARD_CDN_CACHE_CONTROL=false. Real origin, nats-server and LMDB.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { startGatewayHarness, type GatewayHarness } from './gateway-harness.js';

describe('targeted Cache-Control', () => {
  let h: GatewayHarness;
  const get = async (path: string) => {
    const r = await fetch(`${h.gateway.url}${path}`);
    return { cache: r.headers.get('x-cairn-cache'), cacheStatus: r.headers.get('cache-status') ?? '', headers: r.headers, body: await r.text() };
  };

  const start = async (env: Record<string, string> = {}) => {
    h = await startGatewayHarness(() => ({}), env);
    await h.applyRule({ id: 'all', pathPatterns: ['^/.*$'], ttl: 'origin_expires' });
  };

  afterEach(async () => {
    await h.close();
  });

  it('stores what CDN-Cache-Control allows although Cache-Control says no-store, and passes both on (#10)', async () => {
    await start();
    h.origin.route('/cdn', { headers: { 'cache-control': 'no-store', 'cdn-cache-control': 'max-age=600' } });
    expect((await get('/cdn')).cacheStatus).toMatch(/stored; ttl=(59[89]|600);/);
    const hit = await get('/cdn');
    expect([hit.cache, hit.headers.get('cache-control'), hit.headers.get('cdn-cache-control')]).toEqual(['HIT', 'no-store', 'max-age=600']);
  });

  it('lets Cairn-Cache-Control win over CDN-Cache-Control and never shows it to clients (#10)', async () => {
    await start();
    h.origin.route('/cairn', { headers: { 'cache-control': 'private', 'cdn-cache-control': 'no-store', 'cairn-cache-control': 'max-age=600' } });
    const miss = await get('/cairn');
    expect(miss.cacheStatus).toMatch(/stored; ttl=(59[89]|600);/);
    expect(miss.headers.get('cairn-cache-control')).toBeNull();
    const hit = await get('/cairn');
    expect([hit.cache, hit.headers.get('cairn-cache-control'), hit.headers.get('cdn-cache-control')]).toEqual(['HIT', null, 'no-store']);
  });

  it('does not store what Cairn-Cache-Control makes private, whatever Cache-Control allows (#10)', async () => {
    await start();
    h.origin.route('/private', { headers: { 'cache-control': 'public, max-age=600', 'cairn-cache-control': 'private' } });
    const miss = await get('/private');
    expect(miss.cacheStatus).toMatch(/detail=absent:origin-private$/);
    expect(miss.headers.get('cairn-cache-control')).toBeNull();
    expect((await get('/private')).cache).toBe('MISS');
  });

  it('falls back to Cache-Control when the targeted field is not a valid dictionary (#10)', async () => {
    await start();
    h.origin.route('/invalid', { headers: { 'cache-control': 'no-store', 'cdn-cache-control': 'MAX-AGE=600' } });
    expect((await get('/invalid')).cacheStatus).toMatch(/detail=absent:origin-private$/);
  });

  it('keeps CDN-Cache-Control from clients with FORWARD_CDN_CACHE_CONTROL=false, and still follows it (#10)', async () => {
    await start({ FORWARD_CDN_CACHE_CONTROL: 'false' });
    h.origin.route('/withheld', { headers: { 'cache-control': 'no-store', 'cdn-cache-control': 'max-age=600' } });
    const miss = await get('/withheld');
    expect(miss.cacheStatus).toMatch(/stored; ttl=(59[89]|600);/);
    expect(miss.headers.get('cdn-cache-control')).toBeNull();
    const hit = await get('/withheld');
    expect([hit.cache, hit.headers.get('cdn-cache-control')]).toEqual(['HIT', null]);
  });

  it('never passes Cairn-Cache-Control on, even when the answer is not cached (#10)', async () => {
    await start();
    await h.applyRule({ id: 'live', pathPatterns: ['^/live$'], ttl: 'no_cache' });
    h.origin.route('/live', { headers: { 'cairn-cache-control': 'max-age=600' } });
    const pass = await get('/live');
    expect([pass.cache, pass.headers.get('cairn-cache-control')]).toEqual(['PASS', null]);
  });

  it('still follows the stored Cairn-Cache-Control when a 304 revalidates the entry without one (#10)', async () => {
    await start();
    h.origin.route('/kept', {
      handle: (request, response) => {
        if (request.headers['if-none-match'] === '"v1"') {
          response.writeHead(304, { etag: '"v1"' });
          response.end();
          return;
        }
        response.writeHead(200, { etag: '"v1"', 'cache-control': 'no-store', 'cairn-cache-control': 'max-age=2' });
        response.end('v1');
      },
    });
    expect((await get('/kept')).cacheStatus).toMatch(/stored; ttl=[012];/);
    // max-age=2: the origin's one-second Date may use up a second of it (RFC 9111 §4.2.3).
    await sleep(2100);
    const revalidated = await get('/kept');
    expect([revalidated.body, revalidated.headers.get('cairn-cache-control')]).toEqual(['v1', null]);
    expect(revalidated.cacheStatus).toMatch(/fwd-status=304; stored; ttl=[012]; detail=revalidated$/);
  });
});
