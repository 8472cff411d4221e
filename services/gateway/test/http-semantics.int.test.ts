/**
 * HTTP caching semantics (README, Gateway configuration, §6) against a real origin that counts requests,
 * a real nats-server and LMDB: one behaviour per test.
 */
import { get as httpGet, type ServerResponse } from 'node:http';
import { connect as connectTcp } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { eventually, startOrigin, type Origin } from '@cairn/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { outcome, startGatewayHarness, type GatewayHarness } from './gateway-harness.js';

/**
 * A GET through node:http: fetch() adds `Cache-Control: no-cache` to any request with a
 * conditional header (Fetch standard), which would hide how the gateway answers one.
 */
function conditionalGet(url: string, headers: Record<string, string>): Promise<{ status: number; etag: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    httpGet(url, { headers }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, etag: response.headers.etag, body }));
    }).on('error', reject);
  });
}

/** Sends a request target byte for byte (fetch would normalize it) and returns the status. */
function rawStatus(port: number, target: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connectTcp(port, '127.0.0.1', () => socket.write(`GET ${target} HTTP/1.1\r\nHost: gateway.test\r\nConnection: close\r\n\r\n`));
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
    socket.on('end', () => resolve(Number(received.split(' ')[1])));
    socket.on('error', reject);
  });
}

const read = async (response: Response | Promise<Response>) => {
  const r = await response;
  return { status: r.status, cache: r.headers.get('x-cairn-cache'), cacheStatus: r.headers.get('cache-status'), headers: r.headers, body: await r.text() };
};

describe('gateway HTTP semantics', () => {
  let h: GatewayHarness;
  const url = (path: string) => `${h.gateway.url}${path}`;
  const get = (path: string, init?: RequestInit) => read(fetch(url(path), init));

  const start = async (env: Record<string, string> = {}) => {
    h = await startGatewayHarness(
      (originUrl) => ({
        defaultCacheKey: { includeQueryParams: ['page'], includeHeaders: ['x-device'], includeCookies: ['lang'] },
        apiOrigin: originUrl,
        apiPathPrefix: '/api/',
        apiPathReplacement: { search: '/api', replace: '/' },
        apiCacheKey: {},
      }),
      env,
    );
    await h.putRule({ id: 'all', pathPatterns: ['^/.*$'], ttl: '1h' });
    await eventually(async () => expect(await outcome(fetch(url('/warm')))).toBe('MISS'));
  };

  afterEach(async () => {
    await h.close();
  });

  describe('keys and routing', () => {
    let evil: Origin;
    beforeEach(async () => {
      await start();
      evil = await startOrigin();
    });
    afterEach(async () => {
      await evil?.close();
    });

    it('sends a fill only the keyed query parameters, headers and cookies', async () => {
      await get('/keyed?utm=1&page=2', { headers: { 'x-device': 'mobile', 'x-forwarded-host': 'evil.example', cookie: 'lang=de; session=s3cret' } });
      const seen = h.origin.requests.find((r) => r.url.startsWith('/keyed'));
      expect(seen?.url).toBe('/keyed?page=2');
      expect(seen?.headers['x-device']).toBe('mobile');
      expect(seen?.headers['x-forwarded-host']).toBeUndefined();
      expect(seen?.headers.cookie).toBe('lang=de');
    });

    it('passes every header and parameter through when the answer is not cached', async () => {
      await h.putRule({ id: 'nocache', pathPatterns: ['^/live$'], ttl: 'no_cache' });
      await eventually(async () => expect((await get('/live?utm=1')).cache).toBe('PASS'));
      const seen = h.origin.requests.filter((r) => r.url.startsWith('/live')).at(-1);
      expect(seen?.url).toBe('/live?utm=1');
    });

    it('answers 400 to an absolute-form request target instead of reaching another host', async () => {
      expect(await rawStatus(Number(new URL(h.gateway.url).port), `http://127.0.0.1:${evil.port}/steal`)).toBe(400);
      expect(evil.count()).toBe(0);
    });

    it.each(['//127.0.0.1:EVIL/steal', '/\\127.0.0.1:EVIL/steal', '/api//127.0.0.1:EVIL/steal'])('keeps %s on the configured origin', async (target) => {
      const status = await rawStatus(Number(new URL(h.gateway.url).port), target.replace('EVIL', String(evil.port)));
      expect([200, 400]).toContain(status);
      expect(evil.count()).toBe(0);
    });
  });

  describe('freshness and storage', () => {
    beforeEach(() => start());

    it('stores a response that varies only on a keyed header', async () => {
      h.origin.route('/varies', { headers: { vary: 'X-Device' } });
      expect((await get('/varies')).cache).toBe('MISS');
      expect((await get('/varies')).cache).toBe('HIT');
    });

    it('never stores a response that varies on a header outside the key', async () => {
      h.origin.route('/varies-ua', { headers: { vary: 'User-Agent' } });
      expect((await get('/varies-ua')).cacheStatus).toMatch(/detail=absent:vary-not-in-key/);
      expect((await get('/varies-ua')).cache).toBe('MISS');
    });

    it('follows the origin max-age under an origin_expires rule', async () => {
      await h.applyRule({ id: 'origin', pathPatterns: ['^/by-origin$'], ttl: 'origin_expires' });
      h.origin.route('/by-origin', { headers: { 'cache-control': 'max-age=2' } });
      // Date has one-second resolution, so its apparent age (RFC 9111 §4.2.3) may use up a second of the two.
      expect((await get('/by-origin')).cacheStatus).toMatch(/stored; ttl=[012];/);
      expect((await get('/by-origin')).cache).toBe('HIT');
      await sleep(3100);
      expect((await get('/by-origin')).cache).toBe('MISS');
    });

    it('stores a 404 only when CACHEABLE_STATUSES includes it', async () => {
      await h.close();
      await start({ CACHEABLE_STATUSES: '200,404' });
      h.origin.route('/gone', { status: 404 });
      expect((await get('/gone')).status).toBe(404);
      const again = await get('/gone');
      expect([again.status, again.cache]).toEqual([404, 'HIT']);
    });
  });

  describe('coalescing and hit-for-miss', () => {
    beforeEach(() => start());

    // The origin answers after 1 s: every concurrent request has arrived by then, even on a loaded machine.
    it('makes one origin request for 30 concurrent misses', async () => {
      h.origin.route('/popular', { delayMs: 1000, body: 'shared body' });
      const answers = await Promise.all(Array.from({ length: 30 }, () => get('/popular')));
      expect(h.origin.count('/popular')).toBe(1);
      expect(answers.every((a) => a.status === 200 && a.body === 'shared body')).toBe(true);
      expect(answers.filter((a) => a.cacheStatus?.includes('collapsed'))).toHaveLength(29);
      expect((await get('/popular')).cache).toBe('HIT');
    });

    it('gives an origin error to the waiters without storing it', async () => {
      h.origin.route('/broken', { delayMs: 1000, status: 500, body: 'boom' });
      const answers = await Promise.all(Array.from({ length: 10 }, () => get('/broken')));
      expect(h.origin.count('/broken')).toBe(1);
      expect(answers.map((a) => a.status)).toEqual(Array.from({ length: 10 }, () => 500));
      await get('/broken');
      expect(h.origin.count('/broken')).toBe(2);
    });

    it('lets every waiter ask the origin itself when the answer belongs to one client', async () => {
      h.origin.route('/session', { delayMs: 300, headers: { 'set-cookie': 'session=1' } });
      await Promise.all(Array.from({ length: 5 }, () => get('/session')));
      expect(h.origin.count('/session')).toBe(5);
    });

    it('remembers an uncacheable answer so later requests go straight to the origin', async () => {
      h.origin.route('/private', { delayMs: 200, headers: { 'cache-control': 'private' } });
      await get('/private');
      const later = await Promise.all(Array.from({ length: 5 }, () => get('/private')));
      expect(later.every((a) => a.cacheStatus?.includes('detail=hit-for-miss'))).toBe(true);
      expect(later.some((a) => a.cacheStatus?.includes('collapsed'))).toBe(false);
      expect(h.origin.count('/private')).toBe(6);
    });

    it('finishes the fill for the others when the leading client goes away', async () => {
      h.origin.route('/slow-shared', { delayMs: 400, body: 'complete' });
      const leader = new AbortController();
      const leading = fetch(url('/slow-shared'), { signal: leader.signal }).catch(() => undefined);
      await eventually(() => expect(h.origin.count('/slow-shared')).toBe(1));
      const waiting = get('/slow-shared');
      await sleep(50);
      leader.abort();
      await leading;
      expect((await waiting).body).toBe('complete');
      expect((await get('/slow-shared')).cache).toBe('HIT');
      expect(h.origin.count('/slow-shared')).toBe(1);
    });
  });

  describe('revalidation and stale answers', () => {
    beforeEach(() => start());

    const validated = (etag: string, body: string) => ({
      handle: (request: { headers: Record<string, string | string[] | undefined> }, response: ServerResponse) => {
        if (request.headers['if-none-match'] === etag) {
          response.writeHead(304, { etag });
          response.end();
          return;
        }
        response.writeHead(200, { etag, 'content-type': 'text/plain' });
        response.end(body);
      },
    });

    it('revalidates a stale entry with If-None-Match and a 304 makes it fresh again', async () => {
      await h.applyRule({ id: 'short', pathPatterns: ['^/etagged$'], ttl: '1s' });
      h.origin.route('/etagged', validated('"v1"', 'body-v1'));
      expect((await get('/etagged')).cache).toBe('MISS');
      await sleep(1100);
      const revalidated = await get('/etagged');
      expect([revalidated.cache, revalidated.body]).toEqual(['MISS', 'body-v1']);
      expect(revalidated.cacheStatus).toMatch(/fwd=stale; fwd-status=304; stored; ttl=1; detail=revalidated/);
      expect(h.origin.requests.at(-1)?.headers['if-none-match']).toBe('"v1"');
      expect((await get('/etagged')).cache).toBe('HIT');
    });

    it('does not let a 304 that began before an invalidation make the entry fresh', async () => {
      await h.applyRule({ id: 'short', pathPatterns: ['^/raced$'], ttl: '1s' });
      h.origin.route('/raced', validated('"v1"', 'body-v1'));
      expect((await get('/raced')).cache).toBe('MISS');
      await sleep(1100);
      h.origin.route('/raced', { ...validated('"v1"', 'body-v1'), delayMs: 400 });
      const revalidating = get('/raced');
      await eventually(() => expect(h.origin.count('/raced')).toBe(2));
      await h.applyInvalidation({ kind: 'scope', cache: 'page' });
      expect((await revalidating).body).toBe('body-v1');
      expect((await get('/raced')).cacheStatus).toMatch(/detail=invalidated/);
      expect(h.origin.count('/raced')).toBe(3);
    });

    it('serves STALE within staleWhileRevalidate while exactly one refresh runs', async () => {
      await h.applyRule({ id: 'swr', pathPatterns: ['^/swr$'], ttl: '1s', staleWhileRevalidate: '1m' });
      let version = 1;
      h.origin.route('/swr', { delayMs: 200, body: () => `v${version}` });
      expect((await get('/swr')).body).toBe('v1');
      await sleep(1100);
      version = 2;
      const stale = await Promise.all(Array.from({ length: 5 }, () => get('/swr')));
      expect(stale.map((a) => [a.cache, a.body])).toEqual(Array.from({ length: 5 }, () => ['STALE', 'v1']));
      expect(stale[0]?.cacheStatus).toMatch(/hit; ttl=-\d+; detail=stale-while-revalidate/);
      await eventually(async () => expect((await get('/swr')).body).toBe('v2'));
      expect(h.origin.count('/swr')).toBe(2);
    });

    it('does not let a background refresh that began before an invalidation make the entry fresh', async () => {
      await h.applyRule({ id: 'swr', pathPatterns: ['^/swr-race$'], ttl: '1s', staleWhileRevalidate: '1m' });
      h.origin.route('/swr-race', { body: 'v1' });
      expect((await get('/swr-race')).cache).toBe('MISS');
      await sleep(1100);
      h.origin.route('/swr-race', { delayMs: 400, body: 'v2' });
      expect((await get('/swr-race')).cache).toBe('STALE');
      await eventually(() => expect(h.origin.count('/swr-race')).toBe(2));
      await h.applyInvalidation({ kind: 'scope', cache: 'page' });
      // The refresh (400 ms at the origin) has ended, storing nothing.
      await sleep(700);
      expect((await get('/swr-race')).cacheStatus).toMatch(/detail=invalidated/);
    });

    it('serves STALE within staleIfError when the origin fails', async () => {
      await h.applyRule({ id: 'sie', pathPatterns: ['^/sie$'], ttl: '1s', staleIfError: '1m' });
      h.origin.route('/sie', { body: 'good' });
      expect((await get('/sie')).body).toBe('good');
      await sleep(1100);
      h.origin.route('/sie', { status: 503, body: 'down' });
      const answer = await get('/sie');
      expect([answer.status, answer.cache, answer.body]).toEqual([200, 'STALE', 'good']);
      expect(answer.cacheStatus).toMatch(/detail=stale-if-error/);
    });

    it('never serves stale what the origin marked must-revalidate', async () => {
      await h.applyRule({ id: 'sie', pathPatterns: ['^/strict$'], ttl: '1s', staleIfError: '1m', staleWhileRevalidate: '1m' });
      h.origin.route('/strict', { headers: { 'cache-control': 'must-revalidate' }, body: 'good' });
      expect((await get('/strict')).body).toBe('good');
      await sleep(1100);
      h.origin.route('/strict', { status: 503, body: 'down' });
      expect((await get('/strict')).status).toBe(503);
    });
  });

  describe('validators and conditional requests', () => {
    beforeEach(() => start());

    it('answers a matching If-None-Match on a HIT with 304 and no body', async () => {
      h.origin.route('/tagged', { headers: { etag: '"abc"' } });
      await get('/tagged');
      const conditional = await conditionalGet(url('/tagged'), { 'if-none-match': '"abc"' });
      expect([conditional.status, conditional.etag, conditional.body]).toEqual([304, '"abc"', '']);
    });

    it('generates an ETag and Last-Modified when the origin sent none', async () => {
      await get('/plain');
      const hit = await get('/plain');
      expect(hit.headers.get('etag')).toMatch(/^"[\w-]{27}"$/);
      const lastModified = hit.headers.get('last-modified') as string;
      expect(Date.parse(lastModified)).not.toBeNaN();
      expect((await conditionalGet(url('/plain'), { 'if-none-match': hit.headers.get('etag') as string })).status).toBe(304);
      expect((await conditionalGet(url('/plain'), { 'if-modified-since': lastModified })).status).toBe(304);
    });

    it('never answers 304 to an unconditional request', async () => {
      h.origin.route('/uncond', { headers: { etag: '"abc"' } });
      await get('/uncond');
      expect((await get('/uncond')).status).toBe(200);
      expect((await conditionalGet(url('/uncond'), { 'if-none-match': '"other"' })).status).toBe(200);
    });

    it('puts Cache-Status on every answer', async () => {
      await h.putRule({ id: 'nocache', pathPatterns: ['^/pass$'], ttl: 'no_cache' });
      await eventually(async () => expect((await get('/pass')).cacheStatus).toBe('cairn; fwd=bypass; fwd-status=200; detail=no-cache-rule'));
      expect((await get('/status')).cacheStatus).toBe('cairn; fwd=uri-miss; fwd-status=200; stored; ttl=3600; detail=absent');
      expect((await get('/status')).cacheStatus).toMatch(/^cairn; hit; ttl=\d+; detail=fresh$/);
      expect((await get('/status', { headers: { 'x-cairn-cache-bypass': 'true' } })).cacheStatus).toBe('cairn; fwd=bypass; fwd-status=200; detail=bypass-header');
      expect((await read(fetch(url('/status'), { method: 'POST', body: 'x' }))).cacheStatus).toBe('cairn; fwd=method; fwd-status=200; detail=method');
    });
  });

  describe('request Cache-Control', () => {
    beforeEach(() => start({ REQUEST_CACHE_CONTROL: 'honor' }));

    it.each(['no-cache', 'max-age=0'])('asks the origin again for %s under REQUEST_CACHE_CONTROL=honor and stores the new answer', async (directive) => {
      await get('/reload');
      const reloaded = await get('/reload', { headers: { 'cache-control': directive } });
      expect(reloaded.cacheStatus).toMatch(/fwd=request; fwd-status=200; stored/);
      expect(h.origin.count('/reload')).toBe(2);
      expect((await get('/reload')).cache).toBe('HIT');
    });

    it('does not store the answer to a no-store request', async () => {
      expect((await get('/secret', { headers: { 'cache-control': 'no-store' } })).cacheStatus).toMatch(/detail=absent:request-no-store/);
      expect((await get('/secret')).cache).toBe('MISS');
    });

    it('answers only-if-cached with 504 without asking the origin when nothing is stored', async () => {
      const answer = await get('/cold', { headers: { 'cache-control': 'only-if-cached' } });
      expect(answer.status).toBe(504);
      expect(h.origin.count('/cold')).toBe(0);
      await get('/cold');
      expect((await get('/cold', { headers: { 'cache-control': 'only-if-cached' } })).cache).toBe('HIT');
    });
  });

  describe('methods and bodies', () => {
    beforeEach(() => start({ MAX_ENTRY_BYTES: '1024' }));

    it('fills the GET entry on a HEAD miss and serves later GETs from it', async () => {
      const head = await read(fetch(url('/head-first'), { method: 'HEAD' }));
      expect([head.status, head.body]).toEqual([200, '']);
      const hit = await get('/head-first');
      expect([hit.cache, hit.body]).toEqual(['HIT', 'origin:/head-first']);
    });

    it('removes the stored entry when an unsafe method on its URL succeeds', async () => {
      await get('/doc');
      expect((await get('/doc')).cache).toBe('HIT');
      expect((await read(fetch(url('/doc'), { method: 'PUT', body: 'new' }))).status).toBe(200);
      expect((await get('/doc')).cache).toBe('MISS');
    });

    it('streams the origin body to the client before the origin has finished', async () => {
      let release: () => void = () => undefined;
      const released = new Promise<void>((resolve) => (release = resolve));
      h.origin.route('/stream', {
        handle: async (_request, response) => {
          response.writeHead(200, { 'content-type': 'text/plain' });
          response.write('first part;');
          await released;
          response.end('second part');
        },
      });
      const response = await fetch(url('/stream'));
      const reader = (response.body as ReadableStream<Uint8Array>).getReader();
      // Would never resolve if the gateway waited for the whole body before answering.
      const first = await reader.read();
      expect(new TextDecoder().decode(first.value)).toBe('first part;');
      release();
      let rest = '';
      for (let next = await reader.read(); !next.done; next = await reader.read()) rest += new TextDecoder().decode(next.value);
      expect(rest).toBe('second part');
      expect((await get('/stream')).cache).toBe('HIT');
    });

    it('answers 502 and stores nothing when the origin breaks off a small body', async () => {
      h.origin.route('/torn', {
        handle: (_request, response) => {
          response.writeHead(200, { 'content-type': 'text/plain', 'content-length': '100' });
          response.write('only a part');
          setTimeout(() => response.destroy(), 50);
        },
      });
      expect((await get('/torn')).status).toBe(502);
      h.origin.route('/torn', { body: 'whole' });
      expect((await get('/torn')).cacheStatus).toMatch(/detail=absent/);
      expect(h.origin.count('/torn')).toBe(2);
    });

    it('ends the response with an error and stores nothing when the origin breaks off a streamed body', async () => {
      h.origin.route('/torn-stream', {
        handle: (_request, response) => {
          response.writeHead(200, { 'content-type': 'text/plain' });
          response.write('only a part');
          setTimeout(() => response.destroy(), 50);
        },
      });
      await expect(get('/torn-stream')).rejects.toThrow();
      h.origin.route('/torn-stream', { body: 'whole' });
      expect((await get('/torn-stream')).cacheStatus).toMatch(/detail=absent/);
    });

    it('delivers a body larger than MAX_ENTRY_BYTES whole without storing it', async () => {
      const large = 'x'.repeat(5000);
      h.origin.route('/large', { body: large });
      expect((await get('/large')).body).toBe(large);
      const again = await get('/large');
      expect([again.cache, again.body.length]).toEqual(['MISS', 5000]);
      expect(again.cacheStatus).toMatch(/hit-for-miss/);
    });
  });

  describe('origin failures', () => {
    beforeEach(() => start({ REQUEST_TIMEOUT_MS: '300' }));

    it('counts one origin error when waiters share a failed fill', async () => {
      h.origin.route('/stuck', { delayMs: 2000 });
      const answers = await Promise.all(Array.from({ length: 5 }, () => get('/stuck')));
      expect(answers.map((a) => a.status)).toEqual([504, 504, 504, 504, 504]);
      expect(await h.metric('cairn_gateway_origin_errors_total')).toMatch(/reason="timeout-deadline"} 1$/);
    });
  });

  describe('modes', () => {
    it('answers from a synthetic origin in LOAD_TEST_MODE without contacting the real one', async () => {
      await start({ LOAD_TEST_MODE: 'true' });
      const answer = await get('/synthetic');
      expect(answer.headers.get('x-cairn-synthetic')).toBe('true');
      expect((await get('/synthetic')).cacheStatus).toMatch(/^cairn; hit;/);
      expect(h.origin.count('/synthetic')).toBe(0);
    });

    it('leaves out the debug headers when DEBUG_HEADERS is false', async () => {
      await start({ DEBUG_HEADERS: 'false' });
      const answer = await get('/debug', { headers: { 'x-cairn-cache-debug': 'true' } });
      expect(answer.headers.get('x-cairn-cache-key')).toBeNull();
    });

    it('adds the debug headers when asked', async () => {
      await start();
      const answer = await get('/debug', { headers: { 'x-cairn-cache-debug': 'true' } });
      expect(answer.headers.get('x-cairn-cache-key')).toBe('page:/debug');
      expect(answer.headers.get('x-cairn-cache-pattern')).toBe('^/.*$');
      expect(answer.headers.get('x-cairn-cache-bucket')).toBe('"/"');
    });
  });
});
