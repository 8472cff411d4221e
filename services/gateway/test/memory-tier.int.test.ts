/**
 * The memory tier never serves what the store would refuse (#13): a purge applied by the
 * gateway is never answered from memory, and a soft purge serves STALE exactly as without
 * the tier. The same specification runs with the tier on and off. Real gateway, real
 * nats-server, real origin, LMDB in a temp dir.
 */
import { encodeMessage, invalidationPublisherHeaders, subjects, type InvalidationAck } from '@cairn/shared';
import { eventually } from '@cairn/testing';
import type { Subscription } from 'nats';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { outcome, startGatewayHarness, type GatewayHarness } from './gateway-harness.js';

describe.each([
  ['on', '16MiB'],
  ['off', '0'],
])('with the memory tier %s (#13)', (tier, memoryCacheBytes) => {
  let h: GatewayHarness;
  let acks: Subscription;
  const applied = new Set<number>();
  const get = (path: string) => fetch(`${h.gateway.url}${path}`);
  const memoryHits = async () => Number((await h.metric('cairn_gateway_memory_hits_total')).split(' ').pop());
  const waitApplied = (seq: number) => eventually(() => expect(applied.has(seq)).toBe(true));

  beforeEach(async () => {
    h = await startGatewayHarness(() => ({ cacheTagsHeader: 'x-tags' }), { MEMORY_CACHE_BYTES: memoryCacheBytes, WORKERS: '1' });
    applied.clear();
    acks = h.nc.subscribe(subjects.invalidationAcks, { callback: (_err, msg) => applied.add(msg.json<InvalidationAck>().seq) });
    await h.applyRule({ id: 'all', pathPatterns: ['^/.*$'], ttl: '1h', staleWhileRevalidate: '1m' });
  });
  afterEach(async () => {
    acks.unsubscribe();
    await h.close();
  });

  /** Fills `/news`, then hits it until a hit is answered from memory (when the tier is on). */
  async function fillAndHit(): Promise<void> {
    let version = 1;
    h.origin.route('/news', { headers: { 'x-tags': 'news' }, body: () => `v${version++}` });
    expect(await outcome(get('/news'))).toBe('MISS');
    // Hits before the fill's commit read the pending entry, the first after it reads LMDB
    // and admits the entry; later ones are answered from memory.
    expect(await outcome(get('/news'))).toBe('HIT');
    if (tier === 'off') {
      expect(await memoryHits()).toBe(0);
      return;
    }
    await eventually(async () => {
      expect(await outcome(get('/news'))).toBe('HIT');
      expect(await memoryHits()).toBeGreaterThan(0);
    });
  }

  it.each([
    ['tag', { kind: 'tag', cache: 'page', key: 'news' }],
    ['url', { kind: 'url', cache: 'page', key: '/news' }],
    ['cache', { kind: 'scope', cache: 'page' }],
  ] as const)('answers the first request after a hard %s purge from the origin', async (_kind, event) => {
    await fillAndHit();
    const fetched = h.origin.count('/news');
    await waitApplied(await h.invalidate(event));

    const after = await get('/news');
    expect([after.headers.get('x-cairn-cache'), await after.text()]).toEqual(['MISS', 'v2']);
    expect(h.origin.count('/news')).toBe(fetched + 1);
  });

  it('serves a soft-purged entry STALE within its window while one refresh runs, then the refreshed one', async () => {
    await fillAndHit();
    const ack = await h.nc.jetstream().publish(
      subjects.invalidation('scope', 'page', undefined, 'soft'),
      encodeMessage({ id: 'soft-1', kind: 'scope', cache: 'page', mode: 'soft', issuedAt: new Date().toISOString(), source: 'nats' }),
      { headers: invalidationPublisherHeaders() },
    );
    await waitApplied(ack.seq);

    const stale = await get('/news');
    expect([stale.headers.get('x-cairn-cache'), await stale.text()]).toEqual(['STALE', 'v1']);
    await eventually(async () => {
      const refreshed = await get('/news');
      expect([refreshed.headers.get('x-cairn-cache'), await refreshed.text()]).toEqual(['HIT', 'v2']);
    });
    expect(h.origin.count('/news')).toBe(2);
  });

  it('refuses a soft-purged entry the origin marked must-revalidate, from memory as from LMDB', async () => {
    h.origin.route('/strict', { headers: { 'cache-control': 'max-age=3600, must-revalidate' }, body: 'strict' });
    expect(await outcome(get('/strict'))).toBe('MISS');
    expect(await outcome(get('/strict'))).toBe('HIT');
    expect(await outcome(get('/strict'))).toBe('HIT');
    const ack = await h.nc.jetstream().publish(
      subjects.invalidation('scope', 'page', undefined, 'soft'),
      encodeMessage({ id: 'soft-2', kind: 'scope', cache: 'page', mode: 'soft', issuedAt: new Date().toISOString(), source: 'nats' }),
      { headers: invalidationPublisherHeaders() },
    );
    await waitApplied(ack.seq);

    expect(await outcome(get('/strict'))).toBe('MISS');
    expect(h.origin.count('/strict')).toBe(2);
  });
});
