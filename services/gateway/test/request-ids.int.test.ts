import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startGatewayHarness, type GatewayHarness } from './gateway-harness.js';

describe('request ids', () => {
  let h: GatewayHarness;
  const get = async (path: string, init?: RequestInit) => {
    const response = await fetch(`${h.gateway.url}${path}`, init);
    await response.arrayBuffer();
    return response;
  };
  const originSaw = (path: string) => h.origin.requests.filter((r) => r.url === path).map((r) => r.headers['x-request-id']);

  beforeEach(async () => {
    h = await startGatewayHarness(() => ({}), { WORKERS: '1' });
    await h.applyRule({ id: 'cached', pathPatterns: ['^/cached/.*$'], ttl: '1h' });
  });
  afterEach(async () => {
    await h.close();
  });

  it("sends the client's request id to the origin on a fill and returns it", async () => {
    const response = await get('/cached/a', { headers: { 'x-request-id': 'client-id-1' } });
    expect(response.headers.get('x-request-id')).toBe('client-id-1');
    expect(originSaw('/cached/a')).toEqual(['client-id-1']);
  });

  it("sends the client's request id to the origin on a pass and returns it", async () => {
    const response = await get('/passed', { headers: { 'x-request-id': 'client-id-2' } });
    expect(response.headers.get('x-cairn-cache')).toBe('PASS');
    expect(response.headers.get('x-request-id')).toBe('client-id-2');
    expect(originSaw('/passed')).toEqual(['client-id-2']);
  });

  it('makes a request id for an origin request when the client sent none, and returns it', async () => {
    const response = await get('/cached/b');
    const id = response.headers.get('x-request-id');
    expect(id).toMatch(/^[\x21-\x7e]+$/);
    expect(originSaw('/cached/b')).toEqual([id]);
  });

  it('replaces a request id that is not visible ASCII or too long', async () => {
    for (const [path, refused] of [['/cached/c', 'has space'], ['/cached/d', 'x'.repeat(201)]] as const) {
      const response = await get(path, { headers: { 'x-request-id': refused } });
      const id = response.headers.get('x-request-id');
      expect(id).not.toBe(refused);
      expect(id).toMatch(/^[\x21-\x7e]{1,200}$/);
      expect(originSaw(path)).toEqual([id]);
    }
  });

  it('returns the id a hit was asked with, never the one stored with the fill', async () => {
    await get('/cached/e', { headers: { 'x-request-id': 'filled-with' } });
    const hit = await get('/cached/e', { headers: { 'x-request-id': 'hit-with' } });
    expect(hit.headers.get('x-cairn-cache')).toBe('HIT');
    expect(hit.headers.get('x-request-id')).toBe('hit-with');
  });

  it("never passes on the origin's own request id", async () => {
    h.origin.route('/cached/f', { headers: { 'x-request-id': 'origin-made' } });
    const miss = await get('/cached/f', { headers: { 'x-request-id': 'asked-with' } });
    expect(miss.headers.get('x-request-id')).toBe('asked-with');
    const hit = await get('/cached/f');
    expect(hit.headers.get('x-cairn-cache')).toBe('HIT');
    expect(hit.headers.get('x-request-id')).toBeNull();
  });

  it('makes no id for a hit with the access log off and none asked for', async () => {
    await get('/cached/g');
    const hit = await get('/cached/g');
    expect(hit.headers.get('x-cairn-cache')).toBe('HIT');
    expect(hit.headers.get('x-request-id')).toBeNull();
  });

  it('makes an id for a hit when the access log is on', async () => {
    await h.gateway.close();
    h.gateway = await h.start({ ACCESS_LOG: 'json' });
    await get('/cached/h');
    const hit = await get('/cached/h');
    expect(hit.headers.get('x-cairn-cache')).toBe('HIT');
    expect(hit.headers.get('x-request-id')).toMatch(/^[\x21-\x7e]+$/);
  });
});
