/**
 * A 304 to a revalidation is checked like a new response (RFC 9111 §4.3.4; docs/request-flow.md):
 * fields that make the response unfit for a shared cache remove the stored entry, the
 * revalidating client gets the stored body with the 304's fields once, and no other
 * client ever sees them. Real origin, nats-server and LMDB; `Cache-Control: no-cache`
 * from the client (REQUEST_CACHE_CONTROL=honor) makes the gateway revalidate a fresh entry,
 * so no test waits for expiry.
 */
import type { ServerResponse } from 'node:http';
import type { OriginRequest } from '@cairn/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startGatewayHarness, type GatewayHarness } from './gateway-harness.js';

const ETAG = '"v1"';
const REVALIDATE = { headers: { 'cache-control': 'no-cache' } };

/** 200 with a validator, or a 304 with `notModified` fields when the client's If-None-Match matches. */
function validated(notModified: () => Record<string, string | string[]>) {
  return {
    handle: (request: OriginRequest, response: ServerResponse) => {
      if (request.headers['if-none-match'] === ETAG) {
        response.writeHead(304, { etag: ETAG, ...notModified() });
        response.end();
        return;
      }
      response.writeHead(200, { etag: ETAG, 'content-type': 'text/plain', 'cache-control': 'max-age=3600' });
      response.end(`body:${request.url}`);
    },
  };
}

describe('304 revalidations re-check storability', () => {
  let h: GatewayHarness;
  const url = (path: string) => `${h.gateway.url}${path}`;
  const get = async (path: string, init?: RequestInit) => {
    const r = await fetch(url(path), init);
    return { status: r.status, cache: r.headers.get('x-cairn-cache'), cacheStatus: r.headers.get('cache-status') ?? '', headers: r.headers, body: await r.text() };
  };
  /** Stores the path, then asks for a revalidation; returns what the revalidating client got. */
  const storeThenRevalidate = async (path: string) => {
    expect((await get(path)).cache).toBe('MISS');
    expect((await get(path)).cache).toBe('HIT');
    const revalidated = await get(path, REVALIDATE);
    expect(h.origin.requests.at(-1)?.headers['if-none-match']).toBe(ETAG);
    return revalidated;
  };

  beforeEach(async () => {
    h = await startGatewayHarness(() => ({ defaultCacheKey: { includeQueryParams: 'ALL', includeHeaders: ['x-device'] } }), { REQUEST_CACHE_CONTROL: 'honor' });
    await h.applyRule({ id: 'all', pathPatterns: ['^/.*$'], ttl: '1h' });
  });

  afterEach(async () => {
    await h.close();
  });

  it('never stores a Set-Cookie from a 304: the entry is removed and only the revalidating client gets the cookie (#9)', async () => {
    h.origin.route('/cookie', validated(() => ({ 'set-cookie': 'sid=victim' })));
    const revalidated = await storeThenRevalidate('/cookie');
    expect([revalidated.status, revalidated.body, revalidated.headers.get('set-cookie')]).toEqual([200, 'body:/cookie', 'sid=victim']);
    expect(revalidated.cacheStatus).toMatch(/fwd-status=304; detail=revalidated:set-cookie$/);
    expect(revalidated.cacheStatus).not.toMatch(/stored/);
    const requestsBefore = h.origin.count('/cookie');
    const next = await get('/cookie');
    expect([next.cache, next.body, next.headers.get('set-cookie')]).toEqual(['MISS', 'body:/cookie', null]);
    expect(h.origin.count('/cookie')).toBe(requestsBefore + 1);
    expect(h.origin.requests.at(-1)?.headers['if-none-match']).toBeUndefined();
    const hit = await get('/cookie');
    expect([hit.cache, hit.headers.get('set-cookie')]).toEqual(['HIT', null]);
    expect(await h.metric('cairn_gateway_revalidation_drops_total')).toContain('cairn_gateway_revalidation_drops_total{reason="set-cookie"} 1');
  });

  it('sends the cookie of a 304 to the revalidating client also when its own conditional makes the answer a 304 (#9)', async () => {
    h.origin.route('/conditional', validated(() => ({ 'set-cookie': 'sid=mine' })));
    await get('/conditional');
    // fetch adds `Cache-Control: no-cache` to a conditional request: this is a revalidation.
    const answer = await get('/conditional', { headers: { 'if-none-match': ETAG } });
    expect([answer.status, answer.headers.get('set-cookie')]).toEqual([304, 'sid=mine']);
    expect((await get('/conditional')).headers.get('set-cookie')).toBeNull();
  });

  it.each([
    ['Cache-Control: private', { 'cache-control': 'private, max-age=60' }, 'origin-private'],
    ['Cache-Control: no-store', { 'cache-control': 'no-store' }, 'origin-private'],
    ['a Vary on an unkeyed header', { vary: 'user-agent' }, 'vary-not-in-key'],
    ['Vary: *', { vary: '*' }, 'vary-not-in-key'],
  ])('removes the entry when a 304 brings %s, and answers the revalidating client with the stored body (#9)', async (_name, fields, reason) => {
    h.origin.route('/changed', validated(() => fields));
    const revalidated = await storeThenRevalidate('/changed');
    expect([revalidated.status, revalidated.body]).toEqual([200, 'body:/changed']);
    for (const [name, value] of Object.entries(fields)) expect(revalidated.headers.get(name)).toBe(value);
    expect(revalidated.cacheStatus).toMatch(new RegExp(`detail=revalidated:${reason}$`));
    const next = await get('/changed');
    expect(next.cache).toBe('MISS');
    expect(h.origin.requests.at(-1)?.headers['if-none-match']).toBeUndefined();
    expect(await h.metric('cairn_gateway_revalidation_drops_total')).toContain(`{reason="${reason}"} 1`);
  });

  it('keeps refreshing the entry when a 304 varies only on a keyed header', async () => {
    h.origin.route('/keyed', validated(() => ({ vary: 'x-device', 'cache-control': 'max-age=7200' })));
    const revalidated = await storeThenRevalidate('/keyed');
    expect(revalidated.cacheStatus).toMatch(/stored; ttl=\d+; detail=revalidated$/);
    const hit = await get('/keyed');
    expect([hit.cache, hit.headers.get('vary'), hit.headers.get('cache-control')]).toEqual(['HIT', 'x-device', 'max-age=7200']);
  });

  it('keeps the fields that describe the stored body when a 304 sends others', async () => {
    h.origin.route('/body', validated(() => ({ 'content-type': 'application/json', 'content-encoding': 'gzip', 'x-version': '2' })));
    await storeThenRevalidate('/body');
    const hit = await get('/body');
    expect([hit.cache, hit.body, hit.headers.get('content-type'), hit.headers.get('content-encoding'), hit.headers.get('x-version')]).toEqual([
      'HIT',
      'body:/body',
      'text/plain',
      null,
      '2',
    ]);
  });

  it('stores neither the Age nor the Cairn headers a 304 carries (#9)', async () => {
    h.origin.route('/owned', validated(() => ({ age: '999999', 'x-cairn-cache': 'MISS', 'x-cairn-cache-rule': 'forged', 'cache-status': 'cairn; fwd=miss' })));
    await storeThenRevalidate('/owned');
    const hit = await get('/owned');
    expect([hit.cache, hit.headers.get('x-cairn-cache-rule')]).toEqual(['HIT', null]);
    expect(hit.cacheStatus).toMatch(/^cairn; hit; ttl=\d+; detail=fresh$/);
    // Not stored, but the 304's Age is the age the revalidated response arrived with (RFC 9111 §4.2.3, #10).
    expect(Number(hit.headers.get('age'))).toBeGreaterThanOrEqual(999999);
    expect(Number(hit.headers.get('age'))).toBeLessThan(999999 + 60);
  });

  it('asks again without a condition when a 304 names another representation (RFC 9111 §4.3.4)', async () => {
    let version = 1;
    h.origin.route('/moved', {
      handle: (request, response) => {
        if (request.headers['if-none-match'] !== undefined) {
          // A broken origin: "not modified", yet with the current, different tag.
          response.writeHead(304, { etag: `"v${version}"` });
          response.end();
          return;
        }
        response.writeHead(200, { etag: `"v${version}"`, 'content-type': 'text/plain' });
        response.end(`body-v${version}`);
      },
    });
    expect((await get('/moved')).body).toBe('body-v1');
    version = 2;
    const revalidated = await get('/moved', REVALIDATE);
    expect([revalidated.status, revalidated.body, revalidated.headers.get('etag')]).toEqual([200, 'body-v2', '"v2"']);
    expect(h.origin.requests.at(-1)?.headers['if-none-match']).toBeUndefined();
    const hit = await get('/moved');
    expect([hit.cache, hit.body]).toEqual(['HIT', 'body-v2']);
    expect(await h.metric('cairn_gateway_revalidation_refetches_total')).toContain('cairn_gateway_revalidation_refetches_total 1');
  });

  it('gives no waiting client the cookie a 304 set for the revalidating one (#9)', async () => {
    let cookies = 0;
    h.origin.route('/shared', {
      handle: async (request, response) => {
        if (request.headers['if-none-match'] === ETAG) {
          await new Promise((resolve) => setTimeout(resolve, 300));
          cookies += 1;
          response.writeHead(304, { etag: ETAG, 'set-cookie': `sid=${cookies}` });
          response.end();
          return;
        }
        response.writeHead(200, { etag: ETAG, 'content-type': 'text/plain' });
        response.end('shared body');
      },
    });
    expect((await get('/shared')).cache).toBe('MISS');
    const leader = get('/shared', REVALIDATE);
    const others = Array.from({ length: 5 }, () => get('/shared', REVALIDATE));
    const answers = await Promise.all([leader, ...others]);
    expect(answers.every((answer) => answer.status === 200 && answer.body === 'shared body')).toBe(true);
    const cookieHolders = answers.filter((answer) => answer.headers.get('set-cookie') === 'sid=1');
    expect(cookieHolders).toHaveLength(1);
    const later = await get('/shared');
    expect(later.headers.get('set-cookie')).toBeNull();
  });
});
