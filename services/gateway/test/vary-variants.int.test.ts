/**
 * Vary variants (#10, docs/http-semantics.md): a response whose Vary names forwarded
 * headers is stored once per value of them under its URL key, bounded per key; url
 * invalidations and unsafe methods remove every variant; a Vary on a header the fill never
 * sends, or `Vary: *`, is still not stored. Real origin, nats-server and LMDB.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventually } from '@cairn/testing';
import { startGatewayHarness, type GatewayHarness } from './gateway-harness.js';

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

  it('tells a request without the field from one with it (#10)', async () => {
    expect((await get('/page', { 'user-agent': 'a' })).cache).toBe('MISS');
    const response = await fetch(`${h.gateway.url}/page`, { headers: { 'user-agent': '' } });
    expect(response.headers.get('x-cairn-cache')).toBe('MISS');
    await response.text();
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
});
