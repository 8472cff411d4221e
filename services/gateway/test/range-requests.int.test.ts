/**
 * Range requests answered from the store (RFC 9110 §14, If-Range §13.1.5; README, Range
 * requests) against a real origin that counts requests, a real nats-server and LMDB.
 */
import { request as httpRequest } from 'node:http';
import type { ServerResponse } from 'node:http';
import { eventually, type OriginRequest } from '@cairn/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayHarness, type GatewayHarness } from './gateway-harness.js';

/** 1000 bytes, each position distinct enough that a wrong slice shows. */
const BODY = Array.from({ length: 100 }, (_, i) => `${String(i).padStart(3, '0')}abcdef|`).join('');
const ETAG = '"r1"';
const LAST_MODIFIED = new Date(Date.now() - 3_600_000).toUTCString();

/** A GET or HEAD through node:http, so no header is added or hidden on the way (fetch adds some). */
function send(url: string, headers: Record<string, string>, method = 'GET'): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString('latin1')));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('range requests', () => {
  let h: GatewayHarness;
  const url = (path: string) => `${h.gateway.url}${path}`;
  const get = (path: string, headers: Record<string, string> = {}) => send(url(path), headers);
  /** Stores `path` (the origin's BODY with validators) and checks it is a HIT now. */
  const stored = async (path: string) => {
    h.origin.route(path, { headers: { etag: ETAG, 'last-modified': LAST_MODIFIED }, body: BODY });
    expect((await get(path)).headers['x-cairn-cache']).toBe('MISS');
    expect((await get(path)).headers['x-cairn-cache']).toBe('HIT');
  };

  beforeAll(async () => {
    h = await startGatewayHarness();
    await h.applyRule({ id: 'cached', pathPatterns: ['^/r/.*$'], ttl: '1h' });
  });

  afterAll(async () => {
    await h.close();
  });

  it.each([
    ['bytes=0-99', 0, 99],
    ['bytes=100-199', 100, 199],
    // suffix: the last N bytes (§14.1.2).
    ['bytes=-100', 900, 999],
    // open: from first-pos to the end; a last-pos past the end is clamped.
    ['bytes=900-', 900, 999],
    ['bytes=990-5000', 990, 999],
    // overlapping ranges are coalesced into one (§14.2).
    ['bytes=0-9, 5-19', 0, 19],
  ])('answers %s on a HIT with 206 and exactly those bytes', async (range, start, end) => {
    const path = `/r/hit-${range.replace(/\W/g, '')}`;
    await stored(path);
    const before = h.origin.count(path);
    const answer = await get(path, { range });
    expect(answer.status).toBe(206);
    expect(answer.headers['content-range']).toBe(`bytes ${start}-${end}/1000`);
    expect(answer.headers['content-length']).toBe(String(end - start + 1));
    expect(answer.body).toBe(BODY.slice(start, end + 1));
    expect(answer.headers['accept-ranges']).toBe('bytes');
    expect(answer.headers.etag).toBe(ETAG);
    // A range changes neither the outcome nor Cache-Status: this is still a hit.
    expect(answer.headers['x-cairn-cache']).toBe('HIT');
    expect(answer.headers['cache-status']).toMatch(/^cairn; hit; ttl=\d+; detail=fresh$/);
    expect(h.origin.count(path)).toBe(before);
  });

  it('answers an unsatisfiable range with 416 and Content-Range bytes */length', async () => {
    await stored('/r/unsatisfiable');
    const answer = await get('/r/unsatisfiable', { range: 'bytes=5000-' });
    expect([answer.status, answer.headers['content-range'], answer.body]).toEqual([416, 'bytes */1000', '']);
    expect(answer.headers['x-cairn-cache']).toBe('HIT');
    // Nothing downstream may store the 416 as if it were the resource.
    expect(answer.headers['cache-control']).toBeUndefined();
    expect(answer.headers['content-type']).toBeUndefined();
  });

  it.each([
    ['several ranges that do not touch', 'bytes=0-9, 20-29'],
    ['an invalid range', 'bytes=9-0'],
    ['an unknown range unit', 'items=0-9'],
  ])('answers %s with the whole body and 200 (RFC 9110 §14.2)', async (_name, range) => {
    const path = `/r/whole-${range.replace(/\W/g, '')}`;
    await stored(path);
    const answer = await get(path, { range });
    expect([answer.status, answer.headers['content-range'], answer.body]).toEqual([200, undefined, BODY]);
    expect(answer.headers['accept-ranges']).toBe('bytes');
  });

  it.each([
    ['the stored strong ETag', ETAG, 206],
    ['another ETag', '"r0"', 200],
    ['the weak form of the stored ETag', `W/${ETAG}`, 200],
    ['the stored Last-Modified, an hour before Date', LAST_MODIFIED, 206],
    ['another date', new Date(Date.now() - 60_000).toUTCString(), 200],
  ])('applies the range only when If-Range carries %s (RFC 9110 §13.1.5)', async (_name, ifRange, status) => {
    const path = `/r/if-range-${status}-${ifRange.replace(/\W/g, '').toLowerCase()}`;
    await stored(path);
    const answer = await get(path, { range: 'bytes=0-9', 'if-range': ifRange });
    expect(answer.status).toBe(status);
    expect(answer.body).toBe(status === 206 ? BODY.slice(0, 10) : BODY);
  });

  it('answers a matching If-None-Match with 304 before looking at the Range (RFC 9110 §13.2.2)', async () => {
    await stored('/r/conditional');
    const answer = await get('/r/conditional', { range: 'bytes=0-9', 'if-none-match': ETAG });
    expect([answer.status, answer.body, answer.headers['content-range']]).toEqual([304, '', undefined]);
  });

  it('answers HEAD with Range as a 200 without body, since only GET has ranges (RFC 9110 §14.2)', async () => {
    await stored('/r/head');
    const answer = await send(url('/r/head'), { range: 'bytes=0-9' }, 'HEAD');
    expect([answer.status, answer.headers['content-range'], answer.headers['accept-ranges'], answer.body]).toEqual([200, undefined, 'bytes', '']);
  });

  it('fills the whole object once on a Range miss, gives the leader 206, and serves the next Range as a HIT 206', async () => {
    // With its Content-Length the answer is read whole before the leader is answered (a streamed one goes out as a 200).
    h.origin.route('/r/miss', { headers: { etag: ETAG, 'content-length': String(BODY.length) }, body: BODY });
    const first = await get('/r/miss', { range: 'bytes=10-19' });
    expect([first.status, first.headers['content-range'], first.body, first.headers['x-cairn-cache']]).toEqual([206, 'bytes 10-19/1000', BODY.slice(10, 20), 'MISS']);
    expect(first.headers['cache-status']).toMatch(/fwd=uri-miss; fwd-status=200; stored/);
    // The fill asked for the whole object, not the client's range.
    const seen = h.origin.requests.filter((r) => r.url === '/r/miss');
    expect(seen.map((r) => [r.headers.range, r.headers['if-range']])).toEqual([[undefined, undefined]]);
    const second = await get('/r/miss', { range: 'bytes=-5' });
    expect([second.status, second.body, second.headers['x-cairn-cache']]).toEqual([206, BODY.slice(995), 'HIT']);
    expect((await get('/r/miss')).body).toBe(BODY);
    expect(h.origin.count('/r/miss')).toBe(1);
  });

  it('coalesces concurrent Range misses into one origin request and gives each its own range', async () => {
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    h.origin.route('/r/together', {
      handle: async (_request: OriginRequest, response: ServerResponse) => {
        await released;
        response.writeHead(200, { 'content-type': 'text/plain', etag: ETAG, 'content-length': String(BODY.length) });
        response.end(BODY);
      },
    });
    const ranges = ['bytes=0-0', 'bytes=1-2', 'bytes=-3', 'bytes=500-', 'bytes=5000-'];
    const answers = ranges.map((range) => get('/r/together', { range }));
    // The fill is in flight (held at the origin) while every request reaches the gateway.
    await eventually(() => expect(h.origin.count('/r/together')).toBe(1));
    release();
    const got = await Promise.all(answers);
    expect(got.map((a) => [a.status, a.body])).toEqual([
      [206, BODY.slice(0, 1)],
      [206, BODY.slice(1, 3)],
      [206, BODY.slice(997)],
      [206, BODY.slice(500)],
      [416, ''],
    ]);
    expect(got.filter((a) => a.headers['cache-status']?.includes('collapsed'))).toHaveLength(4);
    expect(h.origin.count('/r/together')).toBe(1);
  });

  it('streams a large Range miss to its leader as the whole 200, then serves Range from the store', async () => {
    const large = 'x'.repeat(100 * 1024);
    h.origin.route('/r/large', { body: large });
    const leader = await get('/r/large', { range: 'bytes=0-9' });
    expect([leader.status, leader.body.length, leader.headers['x-cairn-cache']]).toEqual([200, large.length, 'MISS']);
    const hit = await get('/r/large', { range: 'bytes=0-9' });
    expect([hit.status, hit.headers['content-range'], hit.body, hit.headers['x-cairn-cache']]).toEqual([206, `bytes 0-9/${large.length}`, 'x'.repeat(10), 'HIT']);
    expect(h.origin.count('/r/large')).toBe(1);
  });

  it('forwards Range untouched on a pass and returns the origin answer as it is', async () => {
    h.origin.route('/p/ranged', {
      handle: (request: OriginRequest, response: ServerResponse) => {
        response.writeHead(206, { 'content-range': 'bytes 0-1/4', 'x-seen-range': String(request.headers.range) });
        response.end('ab');
      },
    });
    const answer = await get('/p/ranged', { range: 'bytes=0-1', 'if-range': ETAG });
    expect([answer.status, answer.body, answer.headers['content-range'], answer.headers['x-cairn-cache']]).toEqual([206, 'ab', 'bytes 0-1/4', 'PASS']);
    const seen = h.origin.requests.filter((r) => r.url === '/p/ranged').at(-1);
    expect([seen?.headers.range, seen?.headers['if-range']]).toEqual(['bytes=0-1', ETAG]);
  });

  it('counts the range answers by kind', async () => {
    await stored('/r/counted');
    await get('/r/counted', { range: 'bytes=0-0' });
    await get('/r/counted', { range: 'bytes=9999-' });
    await get('/r/counted', { range: 'bytes=0-0,5-5' });
    const lines = await h.metric('cairn_gateway_range_answers_total');
    for (const answer of ['partial', 'unsatisfiable', 'ignored']) expect(lines).toMatch(new RegExp(`answer="${answer}"\\} [1-9]`));
  });
});
