/**
 * The gateway's own headers win (docs/request-flow.md): whatever an origin sends as `Age`,
 * `x-cairn-*`, `Cache-Status` or hop-by-hop fields is never stored nor passed on in their
 * place, and admin-supplied rule text cannot break a debug answer. Real origin,
 * nats-server and LMDB.
 */
import { get as httpGet, type IncomingHttpHeaders } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { startGatewayHarness, type GatewayHarness } from './gateway-harness.js';

/** node:http shows every header as received (fetch hides connection-level ones). */
function rawGet(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    httpGet(url, { headers }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
    }).on('error', reject);
  });
}

const FORGED = {
  age: '999999',
  'x-cairn-cache': 'MISS',
  'x-cairn-cache-rule': 'forged-rule',
  'x-cairn-cache-key': 'forged-key',
  'x-cairn-anything': 'forged',
  'cache-status': 'cairn; hit; detail=forged',
  connection: 'keep-alive, x-hop',
  'x-hop': 'per-connection',
  'keep-alive': 'timeout=99',
  'proxy-authenticate': 'Basic realm="origin"',
};

describe('the gateway\'s own headers win', () => {
  let h: GatewayHarness;
  const url = (path: string) => `${h.gateway.url}${path}`;

  afterEach(async () => {
    await h.close();
  });

  const start = async (env: Record<string, string> = {}) => {
    h = await startGatewayHarness(() => ({}), env);
    await h.applyRule({ id: 'all', pathPatterns: ['^/.*$'], ttl: '1h', description: 'everything' });
    await h.applyRule({ id: 'nocache', pathPatterns: ['^/pass/.*$'], ttl: 'no_cache' });
  };

  const expectNoForgery = (headers: IncomingHttpHeaders) => {
    expect(headers['x-cairn-cache-key']).toBeUndefined();
    expect(headers['x-cairn-anything']).toBeUndefined();
    expect(headers['x-hop']).toBeUndefined();
    expect(headers['keep-alive']).not.toBe('timeout=99');
    expect(headers['proxy-authenticate']).toBeUndefined();
  };

  it('answers a HIT with its own x-cairn-cache, Cache-Status and Age, not the stored origin values (#9)', async () => {
    await start();
    h.origin.route('/forged', { headers: FORGED, body: 'forged body' });
    const miss = await rawGet(url('/forged'));
    expect([miss.headers['x-cairn-cache'], miss.headers['cache-status']]).toEqual(['MISS', 'cairn; fwd=uri-miss; fwd-status=200; stored; ttl=3600; detail=absent']);
    expect(miss.headers['x-cairn-cache-rule']).toBeUndefined();
    expectNoForgery(miss.headers);
    const hit = await rawGet(url('/forged'));
    expect([hit.status, hit.body, hit.headers['x-cairn-cache']]).toEqual([200, 'forged body', 'HIT']);
    expect(hit.headers['cache-status']).toMatch(/^cairn; hit; ttl=\d+; detail=fresh$/);
    // The gateway's own Age: the origin's counts as the age it arrived with (RFC 9111 §4.2.3, #10), plus the time stored.
    expect(Number(hit.headers.age)).toBeGreaterThanOrEqual(999999);
    expect(Number(hit.headers.age)).toBeLessThan(999999 + 60);
    expect(hit.headers['x-cairn-cache-rule']).toBeUndefined();
    expectNoForgery(hit.headers);
  });

  it('shows its own debug headers on a HIT, not stored origin ones (#9)', async () => {
    await start();
    h.origin.route('/forged', { headers: FORGED });
    await rawGet(url('/forged'));
    const hit = await rawGet(url('/forged'), { 'x-cairn-cache-debug': 'true' });
    expect([hit.headers['x-cairn-cache'], hit.headers['x-cairn-cache-rule'], hit.headers['x-cairn-cache-key']]).toEqual(['HIT', 'everything', 'page:/forged']);
  });

  it('answers a pass with its own x-cairn-cache and Cache-Status, not the origin\'s (#9)', async () => {
    await start();
    h.origin.route('/pass/forged', { headers: { ...FORGED, 'x-cairn-cache': 'HIT' } });
    const passed = await rawGet(url('/pass/forged'));
    expect([passed.headers['x-cairn-cache'], passed.headers['cache-status']]).toEqual(['PASS', 'cairn; fwd=bypass; fwd-status=200; detail=no-cache-rule']);
    expect(passed.headers['x-cairn-cache-rule']).toBeUndefined();
    expectNoForgery(passed.headers);
  });

  it.each([
    ['a\r\nSet-Cookie: x=1', "UTF-8''a%0D%0ASet-Cookie%3A%20x%3D1"],
    ['Ünïcødé ✓ 日本', "UTF-8''%C3%9Cn%C3%AFc%C3%B8d%C3%A9%20%E2%9C%93%20%E6%97%A5%E6%9C%AC"],
  ])('answers a debug request for a rule described %j with the description percent-encoded (#9)', async (description, encoded) => {
    await start();
    await h.applyRule({ id: 'odd', pathPatterns: ['^/odd$'], ttl: '1h', description });
    for (const expected of ['MISS', 'HIT']) {
      const answer = await rawGet(url('/odd'), { 'x-cairn-cache-debug': 'true' });
      expect([answer.status, answer.headers['x-cairn-cache'], answer.headers['x-cairn-cache-rule']]).toEqual([200, expected, encoded]);
      expect(answer.headers['set-cookie']).toBeUndefined();
      expect(decodeURIComponent(encoded.slice("UTF-8''".length))).toBe(description);
    }
  });

  it('keeps the synthetic origin\'s marker on hits in LOAD_TEST_MODE', async () => {
    await start({ LOAD_TEST_MODE: 'true' });
    await rawGet(url('/synthetic'));
    const hit = await rawGet(url('/synthetic'));
    expect([hit.headers['x-cairn-cache'], hit.headers['x-cairn-synthetic']]).toEqual(['HIT', 'true']);
  });
});
