/**
 * Vary variants (#10, docs/http-semantics.md): a response whose Vary names forwarded
 * headers is stored once per value of them under its URL key, bounded per key; url
 * invalidations and unsafe methods remove every variant; a Vary on a header the fill never
 * sends, or `Vary: *`, is still not stored. Real origin, nats-server and LMDB.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventually } from '@cairn/testing';
import { startGatewayHarness, type GatewayHarness } from './gateway-harness.js';
import { send } from './raw-http.js';

let h: GatewayHarness;

beforeEach(async () => {
  h = await startGatewayHarness(() => ({ defaultForwardHeaders: ['user-agent', 'accept-language'] }), { MAX_VARIANTS_PER_KEY: '2' });
  await h.applyRule({ id: 'all', pathPatterns: ['^/.*$'], ttl: '1h' });
  // The origin answers per User-Agent, and says so.
  h.origin.route('/page', { headers: { vary: 'User-Agent' }, body: (request) => `for ${request.headers['user-agent'] ?? 'nobody'}` });
});
afterEach(() => h.close());

async function get(path: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${h.gateway.url}${path}`, { headers });
  return { status: response.status, cache: response.headers.get('x-cairn-cache'), cacheStatus: response.headers.get('cache-status'), body: await response.text() };
}

describe('Vary on forwarded headers', () => {
  it('stores one variant per value and serves each client its own (#10)', async () => {
    expect(await get('/page', { 'user-agent': 'a' })).toMatchObject({ cache: 'MISS', body: 'for a' });
    expect(await get('/page', { 'user-agent': 'b' })).toMatchObject({ cache: 'MISS', body: 'for b' });
    expect(await get('/page', { 'user-agent': 'a' })).toMatchObject({ cache: 'HIT', body: 'for a' });
    expect(await get('/page', { 'user-agent': 'b' })).toMatchObject({ cache: 'HIT', body: 'for b' });
    expect(h.origin.count('/page')).toBe(2);
  });

  it('matches values after normalization: whitespace and case of a case-insensitive field (#10)', async () => {
    h.origin.route('/lang', { headers: { vary: 'Accept-Language' }, body: (request) => `lang ${String(request.headers['accept-language'])}` });
    expect((await get('/lang', { 'accept-language': 'en-US,fr' })).cache).toBe('MISS');
    expect(await get('/lang', { 'accept-language': 'EN-us , FR' })).toMatchObject({ cache: 'HIT', body: 'lang en-US,fr' });
  });

  it('tells a request without the field from one with it empty (#10)', async () => {
    // Raw requests: fetch would send its own User-Agent.
    expect((await send(`${h.gateway.url}/page`, 'GET')).headers['x-cairn-cache']).toBe('MISS');
    expect((await send(`${h.gateway.url}/page`, 'GET')).headers['x-cairn-cache']).toBe('HIT');
    expect((await send(`${h.gateway.url}/page`, 'GET', { headers: { 'user-agent': '' } })).headers['x-cairn-cache']).toBe('MISS');
  });

  it('keeps at most MAX_VARIANTS_PER_KEY variants, dropping the least recently stored (#10)', async () => {
    for (const agent of ['a', 'b', 'c']) expect((await get('/page', { 'user-agent': agent })).cache).toBe('MISS');
    expect((await get('/page', { 'user-agent': 'c' })).cache).toBe('HIT');
    expect((await get('/page', { 'user-agent': 'b' })).cache).toBe('HIT');
    expect((await get('/page', { 'user-agent': 'a' })).cache).toBe('MISS');
  });

  it('removes every variant with a url invalidation (#10)', async () => {
    for (const agent of ['a', 'b']) await get('/page', { 'user-agent': agent });
    await h.invalidate({ kind: 'url', cache: 'page', key: '/page' });
    await eventually(async () => expect((await get('/page', { 'user-agent': 'a' })).cache).toBe('MISS'));
    expect((await get('/page', { 'user-agent': 'b' })).cache).toBe('MISS');
  });

  it('never hands a collapsed fill of one variant to a request for another (#10)', async () => {
    h.origin.route('/slow', { headers: { vary: 'User-Agent' }, delayMs: 200, body: (request) => `slow ${String(request.headers['user-agent'])}` });
    const [a, b] = await Promise.all([get('/slow', { 'user-agent': 'a' }), get('/slow', { 'user-agent': 'b' })]);
    expect([a.body, b.body]).toEqual(['slow a', 'slow b']);
  });

  it('still refuses a Vary on a header the fill never sends (#10)', async () => {
    h.origin.route('/unsent', { headers: { vary: 'X-Client' } });
    expect((await get('/unsent', { 'x-client': '1' })).cacheStatus).toMatch(/vary-not-in-key/);
    expect((await get('/unsent', { 'x-client': '1' })).cache).toBe('MISS');
  });

  it('never stores Vary: * (#10)', async () => {
    h.origin.route('/star', { headers: { vary: 'User-Agent, *' } });
    expect((await get('/star', { 'user-agent': 'a' })).cacheStatus).toMatch(/vary-not-in-key/);
    expect((await get('/star', { 'user-agent': 'a' })).cache).toBe('MISS');
  });

  it('stores a 304 that brings a Vary as a variant, so another client never gets it (#10)', async () => {
    let vary = false;
    h.origin.route('/turns', {
      handle: (request, response) => {
        const headers = { etag: '"t1"', 'cache-control': 'max-age=1', ...(vary ? { vary: 'User-Agent' } : {}) };
        if (request.headers['if-none-match'] === '"t1"') return void response.writeHead(304, headers).end();
        response.writeHead(200, headers).end(`turns for ${String(request.headers['user-agent'])}`);
      },
    });
    await h.applyRule({ id: 'turns', pathPatterns: ['^/turns$'], ttl: 'origin_expires' });
    expect((await get('/turns', { 'user-agent': 'a' })).cache).toBe('MISS');
    vary = true;
    await new Promise((resolve) => setTimeout(resolve, 2100));
    expect(await get('/turns', { 'user-agent': 'a' })).toMatchObject({ cache: 'MISS', cacheStatus: expect.stringMatching(/detail=revalidated$/) });
    expect((await get('/turns', { 'user-agent': 'b' })).body).toBe('turns for b');
  });

  it('keeps a variant reachable through sweeps after it was revalidated (#10)', async () => {
    await h.close();
    h = await startGatewayHarness(() => ({ defaultForwardHeaders: ['user-agent'] }), { SWEEP_INTERVAL_MS: '100' });
    // The stale-if-error window keeps an expired variant for its revalidation; the marker must outlive the first answer's.
    await h.applyRule({ id: 'all', pathPatterns: ['^/.*$'], ttl: 'origin_expires', staleIfError: '3s' });
    h.origin.route('/swept', {
      handle: (request, response) => {
        const headers = { etag: '"s1"', 'cache-control': 'max-age=2', vary: 'User-Agent' };
        if (request.headers['if-none-match'] === '"s1"') return void response.writeHead(304, headers).end();
        response.writeHead(200, headers).end('swept');
      },
    });
    expect((await get('/swept', { 'user-agent': 'a' })).cache).toBe('MISS');
    await new Promise((resolve) => setTimeout(resolve, 2200));
    expect((await get('/swept', { 'user-agent': 'a' })).cacheStatus).toMatch(/detail=revalidated$/);
    // Past the first answer's deadline and stale window (at most 2 + 3 s), after many sweeps.
    await new Promise((resolve) => setTimeout(resolve, 3100));
    expect((await get('/swept', { 'user-agent': 'a' })).cacheStatus).toMatch(/detail=(fresh|revalidated)$/);
    expect(h.origin.requests.filter((r) => r.url === '/swept' && r.headers['if-none-match'] === undefined)).toHaveLength(1);
  });
});
