/**
 * Forwarded headers (`defaultForwardHeaders`) and the poisoning defences: against a real
 * origin that echoes the request headers it received, a real nats-server and LMDB.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayHarness, type GatewayHarness } from './gateway-harness.js';
import { send } from './raw-http.js';

type Echo = Record<string, string | undefined>;

describe('forwarded headers', () => {
  let h: GatewayHarness;
  const url = (path: string) => `${h.gateway.url}${path}`;
  /** The headers the origin saw for the answer, as it echoed them. */
  const echoed = async (path: string, method: string, headers: Record<string, string>) => {
    const answer = await send(url(path), method, { headers, body: method === 'GET' ? undefined : 'x' });
    return { cache: answer.headers['x-cairn-cache'], seen: JSON.parse(answer.body) as Echo };
  };

  beforeAll(async () => {
    h = await startGatewayHarness((originUrl) => ({
      defaultForwardHeaders: ['user-agent', 'traceparent', 'x-forwarded-for'],
      apiOrigin: originUrl,
      apiPathPrefix: '/api/',
      apiCacheKey: { includeQueryParams: 'ALL' },
      apiForwardHeaders: ['x-forwarded-host', 'via'],
    }));
    await h.applyRule({ id: 'all', pathPatterns: ['^/.*$'], ttl: '1h' });
    await h.applyRule({ id: 'uncached', pathPatterns: ['^/pass/.*$'], ttl: 'no_cache' });
    // Every path answers with the request headers it received; a forwarded host would change the links.
    for (const path of ['/page', '/page2', '/pass/x', '/api/page', '/poison', '/chain', '/hop']) {
      h.origin.route(path, { handle: (request, response) => void response.end(JSON.stringify(request.headers)) });
    }
  });
  afterAll(async () => {
    await h.close();
  });

  it('sends a forwarded User-Agent and traceparent to the origin on a fill (#10)', async () => {
    const { cache, seen } = await echoed('/page', 'GET', { 'user-agent': 'probe/1.0', traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', 'x-other': 'no' });
    expect(cache).toBe('MISS');
    expect(seen['user-agent']).toBe('probe/1.0');
    expect(seen.traceparent).toBe('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
    expect(seen['x-other']).toBeUndefined();
  });

  it('never sends an unlisted X-Forwarded-Host, X-Original-URL or method override, on fills and on passes (#10)', async () => {
    const rewriting = { 'x-forwarded-host': 'evil.example', 'x-original-url': '/admin', 'x-http-method-override': 'DELETE', forwarded: 'host=evil.example;proto=https', 'x-forwarded-proto': 'https' };
    for (const [path, method] of [['/page2', 'GET'], ['/pass/x', 'GET'], ['/pass/x', 'POST']] as const) {
      const { seen } = await echoed(path, method, rewriting);
      expect([seen['x-forwarded-host'], seen['x-original-url'], seen['x-http-method-override'], seen.forwarded]).toEqual([undefined, undefined, undefined, undefined]);
      expect(seen['x-forwarded-proto']).toBe('http');
    }
  });

  it('sends a listed X-Forwarded-Host, and appends itself to a listed Via (#10)', async () => {
    const { seen } = await echoed('/api/page', 'GET', { 'x-forwarded-host': 'shop.example', via: '1.1 edge' });
    expect(seen['x-forwarded-host']).toBe('shop.example');
    expect(seen.via).toBe('1.1 edge, 1.1 cairn');
  });

  it('sets X-Forwarded-For to the client address after a listed chain, X-Forwarded-Proto and Via (#10)', async () => {
    const { seen } = await echoed('/chain', 'GET', { 'x-forwarded-for': '203.0.113.9' });
    expect(seen['x-forwarded-for']).toBe('203.0.113.9, 127.0.0.1');
    expect(seen['x-forwarded-proto']).toBe('http');
    expect(seen.via).toBe('1.1 cairn');
    const pass = await echoed('/pass/x', 'GET', { via: '1.0 corp-proxy' });
    expect([pass.seen['x-forwarded-for'], pass.seen.via]).toEqual(['127.0.0.1', '1.0 corp-proxy, 1.1 cairn']);
  });

  it('cannot let a client\'s X-Forwarded-Host change the answer stored for everyone (#10)', async () => {
    const attacker = await echoed('/poison', 'GET', { 'x-forwarded-host': 'evil.example' });
    expect(attacker.cache).toBe('MISS');
    expect(attacker.seen['x-forwarded-host']).toBeUndefined();
    const victim = await echoed('/poison', 'GET', {});
    expect(victim.cache).toBe('HIT');
    expect(JSON.stringify(victim.seen)).not.toContain('evil.example');
  });

  it('never forwards a field the client names in Connection, on a fill either (RFC 9110 §7.6.1) (#10)', async () => {
    const { seen } = await echoed('/hop', 'GET', { connection: 'keep-alive, user-agent', 'user-agent': 'hop-only' });
    expect(seen['user-agent']).toBeUndefined();
  });
});
