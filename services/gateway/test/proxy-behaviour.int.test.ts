import { encodeMessage, subjects } from '@cairn/shared';
import { eventually } from '@cairn/testing';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { outcome, startGatewayHarness, type GatewayHarness } from './gateway-harness.js';

describe('gateway proxy behaviour', () => {
  let h: GatewayHarness;
  const get = (path: string, init?: RequestInit) => fetch(`${h.gateway.url}${path}`, init);

  beforeEach(async () => {
    h = await startGatewayHarness(
      (originUrl) => ({
        apiOrigin: originUrl,
        cacheTagsHeader: 'x-tags',
        apiPathPrefix: '/api/',
        apiPathReplacement: { search: '/api/', replace: '/v2/' },
        apiCacheKey: { includeHeaders: ['accept'], includeQueryParams: 'ALL' },
        defaultOriginAuthHeader: 'x-origin-token',
      }),
      { RESERVED_PATHS: '/status', DEFAULT_ORIGIN_AUTH_TOKEN: 'origin-secret', REQUEST_TIMEOUT_MS: '500' },
    );
    await h.putRule({ id: 'all', pathPatterns: ['^/.*$'], ttl: '1h' });
    await eventually(async () => expect(await outcome(get('/warm'))).toBe('MISS'));
  });
  afterEach(async () => {
    await h.close();
  });

  it('sends reserved paths to the origin without caching', async () => {
    expect(await outcome(get('/status'))).toBe('PASS');
    expect(await outcome(get('/status'))).toBe('PASS');
    expect(h.origin.count('/status')).toBe(2);
  });

  it('streams a POST body to the origin and never caches it', async () => {
    h.origin.route('/submit', { body: (request) => `got ${request.body}` });
    const response = await get('/submit', { method: 'POST', body: 'a=1&b=2', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(response.headers.get('x-cairn-cache')).toBe('PASS');
    expect(await response.text()).toBe('got a=1&b=2');
    expect(await outcome(get('/submit', { method: 'POST', body: 'x' }))).toBe('PASS');
  });

  it('never forwards the client authorization header and adds the origin token', async () => {
    await get('/private', { headers: { authorization: 'Basic dXNlcjpwYXNz' } });
    const seen = h.origin.requests.find((r) => r.url === '/private');
    expect(seen?.headers.authorization).toBeUndefined();
    expect(seen?.headers['x-origin-token']).toBe('origin-secret');
  });

  it('routes API traffic through the path replacement into its own cache', async () => {
    const response = await get('/api/items?b=2&a=1');
    expect(response.headers.get('x-cairn-cache')).toBe('MISS');
    // A fill sends the key's query, in the key's order (#9).
    expect(await response.text()).toBe('origin:/v2/items?a=1&b=2');
    expect(await outcome(get('/api/items?a=1&b=2'))).toBe('HIT');
    const debug = await get('/api/items?a=1&b=2', { headers: { 'x-cairn-cache-debug': 'true' } });
    expect(debug.headers.get('x-cairn-cache-key')).toBe('api:/api/items?a=1&b=2|h:accept=*/*');
  });

  it('keeps variants of a keyed header apart', async () => {
    expect(await outcome(get('/api/v', { headers: { accept: 'application/json' } }))).toBe('MISS');
    expect(await outcome(get('/api/v', { headers: { accept: 'text/csv' } }))).toBe('MISS');
    expect(await outcome(get('/api/v', { headers: { accept: 'application/json' } }))).toBe('HIT');
  });

  it('serves the stored status, body and every value of a repeated header on a HIT', async () => {
    h.origin.route('/links', { headers: { link: ['<a>; rel=preload', '<b>; rel=preload'], 'x-extra': '1' }, body: 'payload' });
    expect(await outcome(get('/links'))).toBe('MISS');
    const hit = await get('/links');
    expect(hit.headers.get('x-cairn-cache')).toBe('HIT');
    expect(hit.headers.get('link')).toBe('<a>; rel=preload, <b>; rel=preload');
    expect(hit.headers.get('x-extra')).toBe('1');
    expect(hit.headers.get('content-length')).toBe('7');
    expect(await hit.text()).toBe('payload');
  });

  it('serves HEAD from the cache without a body', async () => {
    expect(await outcome(get('/head'))).toBe('MISS');
    const head = await get('/head', { method: 'HEAD' });
    expect(head.headers.get('x-cairn-cache')).toBe('HIT');
    expect(await head.text()).toBe('');
  });

  it('gives BYPASS and asks the origin when x-cairn-cache-bypass is true', async () => {
    expect(await outcome(get('/b'))).toBe('MISS');
    expect(await outcome(get('/b', { headers: { 'x-cairn-cache-bypass': 'true' } }))).toBe('BYPASS');
    expect(h.origin.count('/b')).toBe(2);
  });

  it.each([
    ['a response with Set-Cookie', { headers: { 'set-cookie': 'session=1' } }],
    ['a 404', { status: 404 }],
    ['a response with Cache-Control: private', { headers: { 'cache-control': 'private' } }],
    ['a response with Vary', { headers: { vary: 'x-user' } }],
  ])('never stores %s', async (_name, route) => {
    h.origin.route('/unstorable', route);
    expect(await outcome(get('/unstorable'))).toBe('MISS');
    expect(await outcome(get('/unstorable'))).toBe('MISS');
    expect(h.origin.count('/unstorable')).toBe(2);
  });

  it('answers 502 when the origin refuses the connection, and counts it', async () => {
    await h.putRule({ id: 'all', pathPatterns: ['^/.*$'], ttl: '1h' });
    await h.origin.close();
    const response = await get('/down');
    expect(response.status).toBe(502);
    expect(await h.metric('cairn_gateway_origin_errors_total')).toMatch(/reason="unavailable"} 1/);
  });

  it('answers 504 when the origin is slower than the request deadline, and counts it', async () => {
    h.origin.route('/slow', { delayMs: 2000 });
    const response = await get('/slow');
    expect(response.status).toBe(504);
    expect(await h.metric('cairn_gateway_origin_errors_total')).toMatch(/reason="timeout-deadline"} 1/);
  });

  it('aborts the origin request when the deadline passes', async () => {
    let originSawClose = false;
    h.origin.route('/hanging', {
      handle: (_request, response) => {
        response.on('close', () => (originSawClose = true));
      },
    });
    expect((await get('/hanging')).status).toBe(504);
    await eventually(() => expect(originSawClose).toBe(true));
  });

  it('rejects a request target that is not a plain path', async () => {
    const response = await fetch(`${h.gateway.url}//other.example/x`);
    expect(response.status).toBe(400);
    expect(h.origin.count()).toBe(1);
  });

  it('expires an entry after its TTL', async () => {
    await h.applyRule({ id: 'short', pathPatterns: ['^/short$'], ttl: '1s' });
    expect(await outcome(get('/short'))).toBe('MISS');
    expect(await outcome(get('/short'))).toBe('HIT');
    await sleep(1100);
    expect(await outcome(get('/short'))).toBe('MISS');
  });

  it('skips and counts a malformed rule event and keeps following the stream', async () => {
    await h.nc.jetstream().publish(subjects.rule('broken'), encodeMessage({ op: 'upsert', rule: { id: 'broken', ttl: 'soon' } }));
    await h.putRule({ id: 'after', pathPatterns: ['^/after$'], ttl: 'no_cache' });
    await eventually(async () => expect(await outcome(get('/after'))).toBe('PASS'));
    expect(await h.metric('cairn_gateway_malformed_messages_total')).toMatch(/stream="CACHE_RULES"} 1/);
  });

  it('skips a hand-written rule event whose pattern needs backtracking and keeps serving', async () => {
    await h.putRule({ id: 'before', pathPatterns: ['^/before$'], ttl: '1h' });
    await h.nc.jetstream().publish(subjects.rule('backref'), encodeMessage({ op: 'upsert', rule: { id: 'backref', pathPatterns: ['^/(a)\\1$'], ttl: '1h' } }));
    await h.putRule({ id: 'after', pathPatterns: ['^/after$'], ttl: 'no_cache' });
    await eventually(async () => expect(await outcome(get('/after'))).toBe('PASS'));
    expect(await outcome(get('/before'))).toBe('MISS');
    expect(await h.metric('cairn_gateway_malformed_messages_total')).toMatch(/stream="CACHE_RULES"} 1/);
  });

  it('answers a hostile path against a nested-quantifier rule without stalling', async () => {
    // A backtracking engine would need ~2^8000 steps for this path; the test would time out.
    // The nested rule outranks the catch-all `all`, so it is tried (and fails) first.
    await h.putRule({ id: 'nested', pathPatterns: ['^/(a+)+$'], ttl: 'no_cache' });
    await eventually(async () => expect(await outcome(get('/aaa'))).toBe('PASS'));
    expect(await outcome(get(`/${'a'.repeat(8000)}!`))).toBe('MISS');
  });

  it('reports readiness with the applied sequences', async () => {
    const ready = await fetch(`${h.gateway.adminUrl}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ ready: true, nats: true, rules: { caughtUp: true, count: 1 }, invalidations: { caughtUp: true, lag: 0, mode: 'normal' } });
  });
});
