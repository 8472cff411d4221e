/**
 * The origin's RFC 5861 windows are stale windows, never freshness (docs/http-semantics.md,
 * Stale windows): past max-age a healthy origin is asked, `stale-if-error` serves the stored
 * answer only when it fails, `stale-while-revalidate` serves it STALE while one refresh
 * runs; a rule's own window wins over the origin's. Real origin, nats-server and LMDB.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { eventually } from '@cairn/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startGatewayHarness, type GatewayHarness } from './gateway-harness.js';

/**
 * The tests use max-age=2, not 1: the origin's Date has one-second resolution, so its
 * apparent age (RFC 9111 §4.2.3) can use up a whole second before the entry is stored.
 * Past this the entry is expired whatever that age was.
 */
const PAST_MAX_AGE_MS = 2100;

describe('origin stale windows', () => {
  let h: GatewayHarness;
  const get = async (path: string) => {
    const r = await fetch(`${h.gateway.url}${path}`);
    return { status: r.status, cache: r.headers.get('x-cairn-cache'), cacheStatus: r.headers.get('cache-status') ?? '', body: await r.text() };
  };

  beforeEach(async () => {
    h = await startGatewayHarness();
    await h.applyRule({ id: 'all', pathPatterns: ['^/.*$'], ttl: 'origin_expires' });
  });

  afterEach(async () => {
    await h.close();
  });

  it('asks a healthy origin once max-age has passed, despite stale-if-error=86400 (#10)', async () => {
    h.origin.route('/sie', { headers: { 'cache-control': 'max-age=2, stale-if-error=86400' }, body: 'v1' });
    expect((await get('/sie')).cache).toBe('MISS');
    await sleep(PAST_MAX_AGE_MS);
    h.origin.route('/sie', { headers: { 'cache-control': 'max-age=2, stale-if-error=86400' }, body: 'v2' });
    const after = await get('/sie');
    expect([after.cache, after.body]).toEqual(['MISS', 'v2']);
    expect(h.origin.count('/sie')).toBe(2);
  });

  it('serves the expired entry STALE within stale-if-error when the origin fails (#10)', async () => {
    h.origin.route('/sie-fail', { headers: { 'cache-control': 'max-age=2, stale-if-error=86400' }, body: 'v1' });
    expect((await get('/sie-fail')).cache).toBe('MISS');
    await sleep(PAST_MAX_AGE_MS);
    h.origin.route('/sie-fail', { status: 503, body: 'down' });
    const stale = await get('/sie-fail');
    expect([stale.status, stale.cache, stale.body]).toEqual([200, 'STALE', 'v1']);
    expect(stale.cacheStatus).toMatch(/detail=stale-if-error/);
  });

  it('answers the failure when the origin forbade stale with must-revalidate (#10)', async () => {
    h.origin.route('/strict', { headers: { 'cache-control': 'max-age=2, must-revalidate, stale-if-error=86400' }, body: 'v1' });
    await get('/strict');
    await sleep(PAST_MAX_AGE_MS);
    h.origin.route('/strict', { status: 503, body: 'down' });
    const failed = await get('/strict');
    expect([failed.status, failed.cache]).toEqual([503, 'MISS']);
  });

  it('serves STALE within stale-while-revalidate while exactly one background refresh runs (#10)', async () => {
    h.origin.route('/swr', { headers: { 'cache-control': 'max-age=2, stale-while-revalidate=60' }, body: 'v1' });
    expect((await get('/swr')).cache).toBe('MISS');
    await sleep(PAST_MAX_AGE_MS);
    // A slow refresh, so every request below arrives while it is in flight.
    h.origin.route('/swr', { headers: { 'cache-control': 'max-age=60, stale-while-revalidate=60' }, body: 'v2', delayMs: 300 });
    const answers = await Promise.all([get('/swr'), get('/swr'), get('/swr')]);
    expect(answers.map((a) => [a.cache, a.body])).toEqual([
      ['STALE', 'v1'],
      ['STALE', 'v1'],
      ['STALE', 'v1'],
    ]);
    await eventually(async () => expect(await get('/swr')).toMatchObject({ cache: 'HIT', body: 'v2' }));
    expect(h.origin.count('/swr')).toBe(2);
  });

  it("lets the rule's staleIfError window win over the origin's (#10)", async () => {
    await h.applyRule({ id: 'no-grace', pathPatterns: ['^/rule-wins$'], ttl: 'origin_expires', staleIfError: '1s' });
    h.origin.route('/rule-wins', { headers: { 'cache-control': 'max-age=2, stale-if-error=86400' }, body: 'v1' });
    await get('/rule-wins');
    // Past max-age and past the rule's one-second window, well within the origin's day.
    await sleep(PAST_MAX_AGE_MS + 1000);
    h.origin.route('/rule-wins', { status: 503, body: 'down' });
    expect((await get('/rule-wins')).status).toBe(503);
  });
});
