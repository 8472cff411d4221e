/**
 * REQUEST_CACHE_CONTROL (docs/http-semantics.md, Request Cache-Control policy; RFC 9111 §5.2.1, §5.4) against a
 * real origin that counts requests, a real nats-server and LMDB. Requests go through
 * node:http: fetch adds `Cache-Control: no-cache` to conditional requests.
 */
import { request as httpRequest, type ServerResponse } from 'node:http';
import type { OriginRequest } from '@cairn/testing';
import { eventually } from '@cairn/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayHarness, type GatewayHarness } from './gateway-harness.js';

const ETAG = '"c1"';

/** A path segment from a test name; paths are keyed lowercased, so case is spelled out. */
const slug = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`).replace(/\W/g, '');

interface Answer {
  status: number;
  cache: string | undefined;
  cacheStatus: string | undefined;
  body: string;
}

function send(url: string, headers: Record<string, string>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, cache: response.headers['x-cairn-cache'] as string | undefined, cacheStatus: response.headers['cache-status'] as string | undefined, body }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

/** 200 with a validator and an hour of freshness, or 304 to a matching If-None-Match; `held` delays the 304. */
function validated(held?: Promise<void>) {
  return {
    handle: async (request: OriginRequest, response: ServerResponse) => {
      if (request.headers['if-none-match'] === ETAG) {
        if (held !== undefined) await held;
        response.writeHead(304, { etag: ETAG, 'cache-control': 'max-age=3600' });
        response.end();
        return;
      }
      response.writeHead(200, { etag: ETAG, 'content-type': 'text/plain', 'cache-control': 'max-age=3600' });
      response.end(`body:${request.url}`);
    },
  };
}

function suite(policy: 'ignore' | 'honor' | undefined) {
  let h: GatewayHarness;
  const get = (path: string, headers: Record<string, string> = {}) => send(`${h.gateway.url}${path}`, headers);
  const stored = async (path: string, held?: Promise<void>) => {
    h.origin.route(path, validated(held));
    expect((await get(path)).cache).toBe('MISS');
    expect((await get(path)).cache).toBe('HIT');
  };

  beforeAll(async () => {
    h = await startGatewayHarness(() => ({}), policy === undefined ? {} : { REQUEST_CACHE_CONTROL: policy });
    await h.applyRule({ id: 'all', pathPatterns: ['^/.*$'], ttl: '1h' });
  });

  afterAll(async () => {
    await h.close();
  });

  return { h: () => h, get, stored };
}

describe('REQUEST_CACHE_CONTROL=ignore (the default)', () => {
  const { h, get, stored } = suite(undefined);

  it.each([
    ['Cache-Control: no-cache', { 'cache-control': 'no-cache' }],
    ['Cache-Control: No-Cache', { 'cache-control': 'No-Cache' }],
    ['Cache-Control: max-age=0', { 'cache-control': 'max-age=0' }],
    ['Cache-Control: min-fresh=86400', { 'cache-control': 'min-fresh=86400' }],
    ['Pragma: no-cache', { pragma: 'no-cache' }],
  ])('answers a fresh entry as a HIT to %s without asking the origin (#10)', async (name, headers) => {
    const path = `/ignore/${slug(name)}`;
    await stored(path);
    const answer = await get(path, headers);
    expect([answer.status, answer.cache, answer.body]).toEqual([200, 'HIT', `body:${path}`]);
    expect(h().origin.count(path)).toBe(1);
  });

  it('answers only-if-cached with 504 without asking the origin when nothing is stored, and from the store when it is (#10)', async () => {
    const answer = await get('/ignore/cold', { 'cache-control': 'only-if-cached' });
    expect([answer.status, answer.cache]).toEqual([504, 'MISS']);
    expect(h().origin.count('/ignore/cold')).toBe(0);
    await stored('/ignore/cold');
    expect((await get('/ignore/cold', { 'cache-control': 'only-if-cached' })).cache).toBe('HIT');
  });

  it('does not store the answer to a no-store request (#10)', async () => {
    h().origin.route('/ignore/secret', validated());
    expect((await get('/ignore/secret', { 'cache-control': 'no-store' })).cacheStatus).toMatch(/detail=absent:request-no-store$/);
    expect((await get('/ignore/secret')).cache).toBe('MISS');
    expect(h().origin.count('/ignore/secret')).toBe(2);
  });
});

describe('REQUEST_CACHE_CONTROL=honor', () => {
  const { h, get, stored } = suite('honor');
  const lastRequest = (path: string) => h().origin.requests.filter((r) => r.url === path).at(-1);

  it.each([
    ['Cache-Control: no-cache', { 'cache-control': 'no-cache' }],
    ['Cache-Control: NO-CACHE', { 'cache-control': 'NO-CACHE' }],
    ['Cache-Control: max-age=0', { 'cache-control': 'max-age=0' }],
    ['Cache-Control: min-fresh=86400', { 'cache-control': 'min-fresh=86400' }],
    ['Pragma: no-cache without Cache-Control', { pragma: 'no-cache' }],
  ])('revalidates a fresh entry conditionally for %s and answers the stored body (#10)', async (name, headers) => {
    const path = `/honor/${slug(name)}`;
    await stored(path);
    const answer = await get(path, headers);
    expect([answer.status, answer.cache, answer.body]).toEqual([200, 'MISS', `body:${path}`]);
    expect(answer.cacheStatus).toMatch(/fwd=stale; fwd-status=304; stored; ttl=\d+; detail=revalidated$/);
    expect(lastRequest(path)?.headers['if-none-match']).toBe(ETAG);
    expect(h().origin.count(path)).toBe(2);
    expect((await get(path)).cache).toBe('HIT');
  });

  it.each([
    ['Cache-Control: max-age=3600', { 'cache-control': 'max-age=3600' }],
    ['Cache-Control: min-fresh=60', { 'cache-control': 'min-fresh=60' }],
    ['Pragma: no-cache with a Cache-Control field (RFC 9111 §5.4)', { pragma: 'no-cache', 'cache-control': 'max-age=3600' }],
    ['Cache-Control: max-stale=60', { 'cache-control': 'max-stale=60' }],
  ])('answers a fresh entry that satisfies %s as a HIT (#10)', async (name, headers) => {
    const path = `/honor/hit-${slug(name)}`;
    await stored(path);
    expect((await get(path, headers)).cache).toBe('HIT');
    expect(h().origin.count(path)).toBe(1);
  });

  it('counts the age the origin reported against a client max-age (RFC 9111 §4.2.3) (#10)', async () => {
    const path = '/honor/aged';
    h().origin.route(path, { headers: { age: '600', 'cache-control': 'max-age=3600' } });
    expect((await get(path)).cache).toBe('MISS');
    expect((await get(path, { 'cache-control': 'max-age=3000' })).cache).toBe('HIT');
    expect((await get(path, { 'cache-control': 'max-age=300' })).cacheStatus).toMatch(/detail=request-max-age$/);
  });

  it('makes one origin request for concurrent no-cache requests (#10)', async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    await stored('/honor/together', held);
    const answers = Array.from({ length: 5 }, () => get('/honor/together', { 'cache-control': 'no-cache' }));
    // The revalidation is in flight (held at the origin) while the others reach the gateway.
    await eventually(() => expect(h().origin.count('/honor/together')).toBe(2));
    release();
    const got = await Promise.all(answers);
    expect(got.map((a) => [a.status, a.body])).toEqual(Array.from({ length: 5 }, () => [200, 'body:/honor/together']));
    expect(got.filter((a) => a.cacheStatus?.includes('collapsed'))).toHaveLength(4);
    expect(h().origin.count('/honor/together')).toBe(2);
  });

  it('answers the client its own matching If-None-Match with 304 after revalidating (#10)', async () => {
    await stored('/honor/conditional');
    const answer = await get('/honor/conditional', { 'cache-control': 'no-cache', 'if-none-match': ETAG });
    expect([answer.status, answer.body, answer.cache]).toEqual([304, '', 'MISS']);
    expect(lastRequest('/honor/conditional')?.headers['if-none-match']).toBe(ETAG);
    expect((await get('/honor/conditional', { 'cache-control': 'no-cache', 'if-none-match': '"other"' })).status).toBe(200);
  });

  it('answers only-if-cached with 504 without asking the origin when nothing is stored (#10)', async () => {
    const answer = await get('/honor/cold', { 'cache-control': 'only-if-cached' });
    expect([answer.status, answer.cache]).toEqual([504, 'MISS']);
    expect(h().origin.count('/honor/cold')).toBe(0);
    await stored('/honor/cold');
    expect((await get('/honor/cold', { 'cache-control': 'only-if-cached' })).cache).toBe('HIT');
    // no-cache asks for a validation only-if-cached forbids: nothing usable without the origin.
    expect((await get('/honor/cold', { 'cache-control': 'no-cache, only-if-cached' })).status).toBe(504);
    expect(h().origin.count('/honor/cold')).toBe(1);
  });

  it('does not store the answer to a no-store request (#10)', async () => {
    h().origin.route('/honor/secret', validated());
    expect((await get('/honor/secret', { 'cache-control': 'no-store' })).cacheStatus).toMatch(/detail=absent:request-no-store$/);
    expect((await get('/honor/secret')).cache).toBe('MISS');
    expect(h().origin.count('/honor/secret')).toBe(2);
  });
});
