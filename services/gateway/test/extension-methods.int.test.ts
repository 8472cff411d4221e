/**
 * Extension methods (RFC 9110 §9, WebDAV) are proxied like any other, and RFC 9111 §4.4
 * invalidation after unsafe methods: a real origin, nats-server and LMDB. PURGE is the
 * gateway's own method, never proxied (test/e2e/purge.e2e.test.ts).
 */
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startGatewayHarness, type GatewayHarness } from './gateway-harness.js';
import { parseRaw, send, sendBytes } from './raw-http.js';

/** An origin speaking raw HTTP/1.1 with a status no HTTP origin may send. */
async function startWeirdOrigin(status: string): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((socket) => {
    socket.once('data', () => socket.end(`HTTP/1.1 ${status} Weird\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok`));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('extension methods and invalidation after unsafe methods', () => {
  let h: GatewayHarness;
  let weird: Awaited<ReturnType<typeof startWeirdOrigin>>;
  const url = (path: string) => `${h.gateway.url}${path}`;
  const cache = async (path: string, headers: Record<string, string> = {}) => (await send(url(path), 'GET', { headers })).headers['x-cairn-cache'];

  beforeAll(async () => {
    weird = await startWeirdOrigin('600');
    h = await startGatewayHarness(() => ({
      defaultCacheKey: { includeHeaders: ['x-device'], includeQueryParams: 'ALL' },
      apiOrigin: weird.url,
      apiPathPrefix: '/weird/',
      apiCacheKey: { includeQueryParams: 'ALL' },
    }));
    await h.applyRule({ id: 'all', pathPatterns: ['^/.*$'], ttl: '1h' });
    h.origin.route('/dav', { handle: (request, response) => void response.end(`${request.method} ${request.body}`) });
  });
  afterAll(async () => {
    await h.close();
    await weird.close();
  });

  it.each(['PROPFIND', 'PROPPATCH', 'REPORT', 'MKCOL', 'LOCK', 'UNLOCK', 'COPY', 'MOVE', 'SEARCH', 'M-SEARCH', 'LINK', 'QUERY'])(
    'proxies %s to the origin with its body instead of answering 404 (#10)',
    async (method) => {
      const answer = await send(url('/dav'), method, { body: `<${method.toLowerCase()}/>`, headers: { 'content-type': 'application/xml' } });
      expect([answer.status, answer.body]).toEqual([200, `${method} <${method.toLowerCase()}/>`]);
      expect(answer.headers['x-cairn-cache']).toBe('PASS');
      expect(answer.headers['cache-status']).toBe('cairn; fwd=method; fwd-status=200; detail=method');
    },
  );

  it('passes a body whose Content-Type fastify would refuse to the origin, which judges it (#10)', async () => {
    const answer = await send(url('/dav'), 'POST', { body: 'raw', headers: { 'content-type': 'not a media type' } });
    expect([answer.status, answer.body]).toEqual([200, 'POST raw']);
  });

  it('answers a method token node\'s parser does not know with 501 of its own, marked and counted (#10)', async () => {
    const before = h.origin.count();
    const answer = parseRaw(await sendBytes(h.gateway.url, 'BREW /pot HTTP/1.1\r\nHost: gateway.test\r\n\r\n'));
    expect(answer.status).toBe(501);
    expect(answer.headers['x-cairn-cache']).toBe('PASS');
    expect(answer.headers['cache-status']).toBe('cairn; detail=method-not-implemented');
    expect(JSON.parse(answer.body)).toEqual({ error: 'CAIRN_METHOD_NOT_IMPLEMENTED', message: 'the request method is not supported' });
    expect(h.origin.count()).toBe(before);
    expect(await h.metric('cairn_gateway_requests_total{cache="page",outcome="PASS",reason="method-not-implemented"}')).toMatch(/ [1-9]\d*$/);
  });

  it('answers CONNECT with 501 and opens no tunnel (#10)', async () => {
    const answer = parseRaw(await sendBytes(h.gateway.url, `CONNECT ${new URL(h.origin.url).host} HTTP/1.1\r\nHost: ${new URL(h.origin.url).host}\r\n\r\n`));
    expect(answer.status).toBe(501);
    expect(answer.headers['cache-status']).toBe('cairn; detail=method-not-implemented');
  });

  it('answers 502 when the origin sends a status outside 100–599 (#10)', async () => {
    const answer = await send(url('/weird/x'), 'GET');
    expect(answer.status).toBe(502);
    expect(answer.headers['cache-status']).toBe('cairn; fwd=uri-miss; detail=origin-unavailable');
    expect(JSON.parse(answer.body)).toEqual({ error: 'CAIRN_ORIGIN_UNAVAILABLE', message: 'the origin is unavailable' });
  });

  describe('RFC 9111 §4.4', () => {
    beforeEach(() => {
      h.origin.route('/conflict', { status: 409 });
    });

    it('removes every stored variant of a URL when an unsafe extension method on it succeeds (#10)', async () => {
      for (const device of ['phone', 'desk']) await cache('/doc', { 'x-device': device });
      expect([await cache('/doc', { 'x-device': 'phone' }), await cache('/doc', { 'x-device': 'desk' })]).toEqual(['HIT', 'HIT']);
      expect((await send(url('/doc'), 'PROPPATCH', { headers: { 'x-device': 'phone' }, body: '<p/>' })).status).toBe(200);
      expect([await cache('/doc', { 'x-device': 'phone' }), await cache('/doc', { 'x-device': 'desk' })]).toEqual(['MISS', 'MISS']);
    });

    it('keeps other queries of the path and the entry after a safe WebDAV method (#10)', async () => {
      await cache('/kept');
      await cache('/kept?page=2');
      expect((await send(url('/kept'), 'PROPFIND')).status).toBe(200);
      expect(await cache('/kept')).toBe('HIT');
      expect((await send(url('/kept'), 'DELETE')).status).toBe(200);
      expect([await cache('/kept'), await cache('/kept?page=2')]).toEqual(['MISS', 'HIT']);
    });

    it('keeps the stored entry when the unsafe method fails (#10)', async () => {
      await cache('/conflict-doc');
      h.origin.route('/conflict-doc', { handle: (request, response) => void response.writeHead(request.method === 'GET' ? 200 : 409).end('x') });
      expect((await send(url('/conflict-doc'), 'LOCK')).status).toBe(409);
      expect(await cache('/conflict-doc')).toBe('HIT');
    });

    it('invalidates same-host Location and Content-Location targets, never another host\'s (#10)', async () => {
      const host = new URL(h.gateway.url).host;
      for (const path of ['/items/1', '/items/2', '/items/3']) await cache(path);
      h.origin.route('/items', { status: 201, headers: { location: '/items/1', 'content-location': `http://${host}/Items/2/` } });
      h.origin.route('/elsewhere', { status: 201, headers: { location: 'http://other.example/items/3' } });
      expect((await send(url('/items'), 'POST', { body: 'new' })).status).toBe(201);
      expect((await send(url('/elsewhere'), 'POST', { body: 'new' })).status).toBe(201);
      expect([await cache('/items/1'), await cache('/items/2'), await cache('/items/3')]).toEqual(['MISS', 'MISS', 'HIT']);
    });
  });
});
