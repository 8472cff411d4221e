/**
 * Freshness from the origin's own fields under an `origin_expires` rule, as an operator
 * who wants the origin's HTTP semantics runs it (docs/http-semantics.md; RFC 9111 §4.2):
 * directives, Expires, Age and statuses. Real origin, nats-server and LMDB.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { startGatewayHarness, type GatewayHarness } from './gateway-harness.js';

describe('origin freshness', () => {
  let h: GatewayHarness;
  const get = async (path: string) => {
    const r = await fetch(`${h.gateway.url}${path}`);
    return { status: r.status, cache: r.headers.get('x-cairn-cache'), cacheStatus: r.headers.get('cache-status') ?? '', age: r.headers.get('age'), body: await r.text() };
  };

  const start = async (env: Record<string, string> = {}) => {
    h = await startGatewayHarness(() => ({}), env);
    await h.applyRule({ id: 'all', pathPatterns: ['^/.*$'], ttl: 'origin_expires' });
  };

  afterEach(async () => {
    await h.close();
  });

  it('stores a response with repeated Cache-Control field lines and answers the next request from the store, never 500 (#10)', async () => {
    await start();
    h.origin.route('/repeated', { headers: { 'cache-control': ['public', 'max-age=600'] } });
    const miss = await get('/repeated');
    expect([miss.status, miss.cache]).toEqual([200, 'MISS']);
    expect(miss.cacheStatus).toMatch(/stored; ttl=(59[89]|600);/);
    const hit = await get('/repeated');
    expect([hit.status, hit.cache, hit.body]).toEqual([200, 'HIT', 'origin:/repeated']);
    expect(h.origin.count('/repeated')).toBe(1);
  });

  it('honours an upper-case MAX-AGE directive (#10)', async () => {
    await start();
    h.origin.route('/upper', { headers: { 'cache-control': 'MAX-AGE=600' } });
    expect((await get('/upper')).cacheStatus).toMatch(/stored; ttl=(59[89]|600);/);
    expect((await get('/upper')).cache).toBe('HIT');
  });

  it('treats a mixed-case No-CaChE as no-cache: not stored (#10)', async () => {
    await start();
    h.origin.route('/no-cache', { headers: { 'cache-control': 'max-age=600, No-CaChE' } });
    expect((await get('/no-cache')).cacheStatus).toMatch(/detail=absent:no-freshness$/);
    expect((await get('/no-cache')).cache).toBe('MISS');
  });

  it.each([['0'], ['-1'], ['tomorrow'], ['2099-12-01T00:00:00Z']])('treats Expires: %s as already expired, so it is not stored (#10)', async (expires) => {
    await start();
    h.origin.route('/expires', { headers: { expires } });
    expect((await get('/expires')).cacheStatus).toMatch(/detail=absent:no-freshness$/);
    expect((await get('/expires')).cache).toBe('MISS');
    expect(h.origin.count('/expires')).toBe(2);
  });

  it('ignores an Age of 7200.0, which is not an integer (#10)', async () => {
    await start();
    h.origin.route('/bad-age', { headers: { 'cache-control': 'max-age=3600', age: '7200.0' } });
    expect((await get('/bad-age')).cacheStatus).toMatch(/stored; ttl=(359[89]|3600);/);
    const hit = await get('/bad-age');
    expect(hit.cache).toBe('HIT');
    expect(Number(hit.age)).toBeLessThan(60);
  });

  it("answers a HIT with Age = the origin's Age + the time stored (#10)", async () => {
    await start();
    h.origin.route('/aged', { headers: { 'cache-control': 'max-age=600', age: '100' } });
    await get('/aged');
    const hit = await get('/aged');
    expect(hit.cache).toBe('HIT');
    expect(Number(hit.age)).toBeGreaterThanOrEqual(100);
    expect(Number(hit.age)).toBeLessThan(160);
  });

  it("counts the origin's Age against max-age: max-age=600 with Age: 500 is fresh for 100 s (#10)", async () => {
    await start();
    h.origin.route('/half-used', { headers: { 'cache-control': 'max-age=600', age: '500' } });
    expect((await get('/half-used')).cacheStatus).toMatch(/stored; ttl=(9[89]|100);/);
    expect((await get('/half-used')).cache).toBe('HIT');
  });

  it('does not store a response whose Age is past its max-age (#10)', async () => {
    await start();
    h.origin.route('/used-up', { headers: { 'cache-control': 'max-age=600', age: '700' } });
    expect((await get('/used-up')).cacheStatus).toMatch(/detail=absent:no-freshness$/);
    expect((await get('/used-up')).cache).toBe('MISS');
  });

  it.each([[299], [500], [503]])('stores a %i with explicit freshness when CACHEABLE_STATUSES lists it (#10)', async (status) => {
    await start({ CACHEABLE_STATUSES: '200,299,500,503' });
    h.origin.route('/status', { status, headers: { 'cache-control': 'max-age=600' } });
    expect((await get('/status')).cacheStatus).toMatch(/stored; ttl=(59[89]|600);/);
    const hit = await get('/status');
    expect([hit.status, hit.cache]).toEqual([status, 'HIT']);
  });

  it("stores a listed 500 under a rule's duration, which is explicit freshness (#10)", async () => {
    await start({ CACHEABLE_STATUSES: '200,500' });
    await h.applyRule({ id: 'fixed', pathPatterns: ['^/fixed$'], ttl: '1h' });
    h.origin.route('/fixed', { status: 500 });
    await get('/fixed');
    const hit = await get('/fixed');
    expect([hit.status, hit.cache]).toEqual([500, 'HIT']);
  });

  it('never gives a listed 500 heuristic freshness (#10)', async () => {
    await start({ CACHEABLE_STATUSES: '200,500' });
    h.origin.route('/heuristic', { status: 500, headers: { 'last-modified': new Date(Date.now() - 86_400_000).toUTCString() } });
    expect((await get('/heuristic')).cacheStatus).toMatch(/detail=absent:no-freshness$/);
  });

  it('gives a 200 with only Last-Modified heuristic freshness of a tenth of its age (RFC 9111 §4.2.2)', async () => {
    await start();
    h.origin.route('/modified', { headers: { 'last-modified': new Date(Date.now() - 10_000_000).toUTCString() } });
    expect((await get('/modified')).cacheStatus).toMatch(/stored; ttl=(99[89]|1000);/);
    expect((await get('/modified')).cache).toBe('HIT');
  });

  it("recomputes the Age from a revalidation's 304 (#10)", async () => {
    await start();
    h.origin.route('/revalidated', {
      handle: (request, response) => {
        if (request.headers['if-none-match'] === '"v1"') {
          response.writeHead(304, { etag: '"v1"', 'cache-control': 'max-age=600', age: '50' });
          response.end();
          return;
        }
        response.writeHead(200, { etag: '"v1"', 'cache-control': 'max-age=2' });
        response.end('v1');
      },
    });
    await get('/revalidated');
    // max-age=2: the origin's one-second Date may use up a second of it (RFC 9111 §4.2.3).
    await sleep(2100);
    const revalidated = await get('/revalidated');
    expect(revalidated.cacheStatus).toMatch(/fwd-status=304; stored; ttl=(54[89]|550); detail=revalidated$/);
    const hit = await get('/revalidated');
    expect(hit.cache).toBe('HIT');
    expect(Number(hit.age)).toBeGreaterThanOrEqual(50);
    expect(Number(hit.age)).toBeLessThan(110);
  });
});
