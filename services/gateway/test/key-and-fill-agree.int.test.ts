/**
 * Issue 9 items 1 and 2: a fill asks the origin for exactly what its cache key describes,
 * and no request can reach another's key. Each test lets an attacker fill first, then
 * checks what the victim gets from a real origin that echoes what it received.
 */
import { buildCacheKey, compileCacheKeyConfig, urlInvalidationKeyOf } from '@cairn/shared';
import type { OriginRequest } from '@cairn/testing';
import { eventually } from '@cairn/testing';
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outcome, startGatewayHarness, type GatewayHarness } from './gateway-harness.js';

const keyConfig = { includeQueryParams: ['q'], includeHeaders: ['x-device'], includeCookies: ['lang'] };

interface Answer {
  status: number;
  cache: string | undefined;
  body: string;
}

/** A request sent as written: node's client keeps the target raw and sends an array header as repeated lines. */
function raw(base: string, target: string, headers: Record<string, string | string[]> = {}, method = 'GET'): Promise<Answer> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ hostname, port, path: target, method, headers: { connection: 'close' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, cache: res.headers['x-cairn-cache'] as string | undefined, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    for (const [name, value] of Object.entries(headers)) req.setHeader(name, value);
    req.on('error', reject);
    req.end();
  });
}

const echo = (request: OriginRequest): string =>
  JSON.stringify({ url: request.url, device: request.headers['x-device'] ?? null, cookie: request.headers.cookie ?? null });

describe('the key and the fill agree (#9)', () => {
  let h: GatewayHarness;
  const get = (target: string, headers?: Record<string, string | string[]>, method?: string) => raw(h.gateway.url, target, headers, method);
  const seen = (path: string) => h.origin.requests.filter((r) => r.url.split('?')[0] === path).map((r) => r.url);

  beforeAll(async () => {
    h = await startGatewayHarness(() => ({ defaultCacheKey: keyConfig }));
    await h.putRule({ id: 'all', pathPatterns: ['^/.*$'], ttl: '1h' });
    await eventually(async () => expect(await outcome(fetch(`${h.gateway.url}/warm`))).toBe('MISS'));
    for (const path of ['/p', '/p2', '/p2/', '/dir', '/dir/', '/s', '/c', '/h', '/a', '/a|h:x-device=mobile', '/b', '/long', '/mixed/case', '/u1', '/u2', '/u3|x']) h.origin.route(path, { body: echo });
  });
  afterAll(async () => {
    await h.close();
  });

  it('refuses a fragment in the request-target, so the victim gets the clean answer (#9)', async () => {
    expect((await get('/p?q=1#<payload>')).status).toBe(400);
    expect((await get('/p#x')).status).toBe(400);
    expect(seen('/p')).toEqual([]);
    const victim = await get('/p?q=1');
    expect(victim.cache).toBe('MISS');
    expect(JSON.parse(victim.body).url).toBe('/p?q=1');
  });

  it('fills a dot-segment target from the normalized path the key holds (#9)', async () => {
    // RFC 3986 §5.2.4: `/p2/attacker<svg>/..` is `/p2/`.
    const attacker = await get('/p2/attacker<svg>/..');
    expect(attacker.cache).toBe('MISS');
    expect(seen('/p2/')).toEqual(['/p2/']);
    expect(h.origin.requests.some((r) => r.url.includes('svg'))).toBe(false);
    const victim = await get('/p2/');
    expect(victim.cache).toBe('HIT');
    expect(JSON.parse(victim.body).url).toBe('/p2/');
  });

  it('sends the origin the lowercased, decoded path the key holds (#9)', async () => {
    const first = await get('/Mixed/./%43ase');
    expect(JSON.parse(first.body).url).toBe('/mixed/case');
    expect((await get('/mixed/case')).cache).toBe('HIT');
  });

  it('keeps the trailing slash in the key and the fill, so an origin that redirects /dir to /dir/ is asked for what the client asked (#9)', async () => {
    const slash = await get('/Dir//');
    expect(JSON.parse(slash.body).url).toBe('/dir/');
    expect((await get('/dir/')).cache).toBe('HIT');
    const bare = await get('/dir');
    expect([bare.cache, JSON.parse(bare.body).url]).toEqual(['MISS', '/dir']);
  });

  it('keys both orders of a repeated query name apart and sends each as keyed (#9)', async () => {
    const attacker = await get('/s?q=evil&utm=1&q=good');
    expect(JSON.parse(attacker.body).url).toBe('/s?q=evil&q=good');
    const victim = await get('/s?q=good&q=evil');
    expect(victim.cache).toBe('MISS');
    expect(JSON.parse(victim.body).url).toBe('/s?q=good&q=evil');
    expect(seen('/s')).toEqual(['/s?q=evil&q=good', '/s?q=good&q=evil']);
  });

  it('sends the first value of a repeated keyed cookie, the one the key holds (#9)', async () => {
    const attacker = await get('/c', { cookie: 'lang=en; session=x; lang=evil' });
    expect(JSON.parse(attacker.body).cookie).toBe('lang=en');
    const victim = await get('/c', { cookie: 'lang=en' });
    expect(victim.cache).toBe('HIT');
    expect(JSON.parse(victim.body).cookie).toBe('lang=en');
  });

  it('sends repeated keyed header lines as the one combined value the key holds (#9)', async () => {
    const attacker = await get('/h', { 'x-device': ['mobile', 'evil'] });
    expect(JSON.parse(attacker.body).device).toBe('mobile, evil');
    const victim = await get('/h', { 'x-device': 'mobile' });
    expect(victim.cache).toBe('MISS');
    expect(JSON.parse(victim.body).device).toBe('mobile');
  });

  it('keeps a path that spells a header part apart from that header (#9)', async () => {
    const attacker = await get('/a|h:x-device=mobile');
    expect(JSON.parse(attacker.body)).toMatchObject({ url: '/a|h:x-device=mobile', device: null });
    const victim = await get('/a', { 'x-device': 'mobile' });
    expect(victim.cache).toBe('MISS');
    expect(JSON.parse(victim.body)).toMatchObject({ url: '/a', device: 'mobile' });
  });

  it('keeps a query value that spells a header part apart from that header (#9)', async () => {
    expect(JSON.parse((await get('/b?q=1|h:x-device=mobile')).body).device).toBe(null);
    const victim = await get('/b?q=1', { 'x-device': 'mobile' });
    expect(victim.cache).toBe('MISS');
    expect(JSON.parse(victim.body)).toMatchObject({ url: '/b?q=1', device: 'mobile' });
  });

  it('keeps a hashed key out of reach of a verbatim key with the same text (#9)', async () => {
    const long = 'a'.repeat(2000);
    const hashed = buildCacheKey('page', { url: '/long', headers: { 'x-device': long } }, compileCacheKeyConfig({ ...keyConfig, includeCookies: [] }));
    // A header value that makes the attacker's verbatim key the hashed key's text after the cache name.
    const forged = hashed.slice('page:/long|h:x-device='.length);
    expect((await get('/long', { 'x-device': forged })).cache).toBe('MISS');
    const victim = await get('/long', { 'x-device': long });
    expect(victim.cache).toBe('MISS');
    expect(JSON.parse(victim.body).device).toBe(long);
  });

  it('passes the client target as received when nothing is stored (#9)', async () => {
    h.origin.route('/Pass/./x', { body: echo });
    const passed = await get('/Pass/./x?b=2&a=1#', {}, 'POST');
    expect(passed.status).toBe(400);
    const ok = await get('/Pass/./x?b=2&a=1', {}, 'POST');
    expect(ok.cache).toBe('PASS');
    expect(JSON.parse(ok.body).url).toBe('/Pass/./x?b=2&a=1');
  });

  describe('a url invalidation for the URL a client requested removes what that client got (#9)', () => {
    const invalidated = async (target: string, headers?: Record<string, string>) => {
      await h.invalidate({ kind: 'url', cache: 'all', key: urlInvalidationKeyOf(target) });
      await eventually(async () => expect((await get(target, headers)).cache).toBe('MISS'));
    };

    it.each([
      ['a repeated query name in either order', '/u1?q=good&q=evil'],
      ['a dot-segment, mixed-case target', '/U2/x/..?q=1'],
      ['a path with the key separator in it', '/u3|x'],
    ])('%s', async (_, target) => {
      expect((await get(target, { 'x-device': 'mobile' })).cache).toBe('MISS');
      expect((await get(target, { 'x-device': 'mobile' })).cache).toBe('HIT');
      await invalidated(target, { 'x-device': 'mobile' });
    });
  });
});
