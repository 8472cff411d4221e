import { invalidationPublisherHeaders, streamConfigs, streamNames, subjects } from '@cairn/shared';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { eventually } from '@cairn/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LmdbStore } from '../src/store/lmdb-store.js';
import { outcome, startGatewayHarness, type GatewayHarness } from './gateway-harness.js';

describe('invalidation feed', () => {
  let h: GatewayHarness;
  const get = (path: string) => fetch(`${h.gateway.url}${path}`);
  const appliedSeq = async () =>
    ((await (await fetch(`${h.gateway.adminUrl}/ready`)).json()) as { invalidations: { appliedSeq: number } }).invalidations.appliedSeq;

  const recreateInvalidationStream = async () => {
    const jsm = await h.nc.jetstreamManager();
    await jsm.streams.delete(streamNames.invalidations);
    await jsm.streams.add(streamConfigs({ replicas: 1, invalidationRetentionMs: 30 * 86_400_000 }).find((c) => c.name === streamNames.invalidations)!);
  };

  beforeEach(async () => {
    h = await startGatewayHarness();
    await h.putRule({ id: 'all', pathPatterns: ['^/.*$'], ttl: '1h' });
    await eventually(async () => expect(await outcome(get('/warm'))).toBe('MISS'));
  });
  afterEach(async () => {
    await h.close();
  });

  it('treats an entry whose fill began before an invalidation as a MISS', async () => {
    h.origin.route('/slow', { delayMs: 300 });
    const filling = outcome(get('/slow'));
    await eventually(() => expect(h.origin.count('/slow')).toBe(1));
    const seq = await h.invalidate({ kind: 'scope', cache: 'page' });
    await eventually(async () => expect(await appliedSeq()).toBe(seq));
    expect(await filling).toBe('MISS');

    expect(await outcome(get('/slow'))).toBe('MISS');
    expect(h.origin.count('/slow')).toBe(2);
  });

  it('keeps entries filled after an invalidation', async () => {
    const seq = await h.invalidate({ kind: 'scope', cache: 'all' });
    await eventually(async () => expect(await appliedSeq()).toBe(seq));
    expect(await outcome(get('/later'))).toBe('MISS');
    expect(await outcome(get('/later'))).toBe('HIT');
  });

  it('drops every entry when the invalidation stream is recreated under a running gateway', async () => {
    expect(await outcome(get('/warm'))).toBe('HIT');
    await recreateInvalidationStream();

    await eventually(async () => expect(await outcome(get('/warm'))).toBe('MISS'));
    expect(await outcome(get('/warm'))).toBe('HIT');
  });

  it('does not store a fill that began before the invalidation stream was recreated', async () => {
    h.origin.route('/slow', { delayMs: 300 });
    const filling = outcome(get('/slow'));
    await eventually(() => expect(h.origin.count('/slow')).toBe(1));
    await recreateInvalidationStream();
    expect(await filling).toBe('MISS');

    expect(await outcome(get('/slow'))).toBe('MISS');
    expect(h.origin.count('/slow')).toBe(2);
  });

  it('drops its entries at start when the invalidation stream changed while it was down', async () => {
    expect(await outcome(get('/warm'))).toBe('HIT');
    await h.gateway.close();
    const jsm = await h.nc.jetstreamManager();
    await jsm.streams.delete(streamNames.invalidations);
    h.gateway = await h.start();

    expect(await outcome(get('/warm'))).toBe('MISS');
  });

  it('revalidates every hit while the feed is lost, serves stale only if the origin fails, and hits again after catching up', async () => {
    await h.gateway.close();
    h.gateway = await h.start({ INVALIDATION_FEED_GRACE_MS: '300' });
    h.origin.route('/guarded', { body: 'stored' });
    expect(await outcome(get('/guarded'))).toBe('MISS');
    expect(await outcome(get('/guarded'))).toBe('HIT');

    await h.nats.restart(async () => {
      // Lost once the disconnect is noticed and the 300 ms grace is over.
      await eventually(async () => expect(((await (await fetch(`${h.gateway.adminUrl}/ready`)).json()) as { invalidations: { mode: string } }).invalidations.mode).toBe('feed-lost'));
      const revalidated = await get('/guarded');
      expect(revalidated.headers.get('cache-status')).toMatch(/detail=feed-lost/);
      await revalidated.arrayBuffer();
      expect(h.origin.count('/guarded')).toBe(2);

      h.origin.route('/guarded', { status: 503, body: 'down' });
      const stale = await get('/guarded');
      expect([stale.headers.get('x-cairn-cache'), await stale.text()]).toEqual(['STALE', 'stored']);
      const ready = (await (await fetch(`${h.gateway.adminUrl}/ready`)).json()) as { invalidations: { mode: string } };
      expect(ready.invalidations.mode).toBe('feed-lost');
      h.origin.route('/guarded', { body: 'stored' });
    });

    await eventually(async () => expect(await outcome(get('/guarded'))).toBe('HIT'), { timeoutMs: 10_000 });
    expect(await h.metric('cairn_gateway_invalidation_feed_lost')).toMatch(/feed_lost 0/);
  });

  it('revalidates an entry stored longer ago than INVALIDATION_RETENTION before using it', async () => {
    expect(await outcome(get('/warm'))).toBe('HIT');
    await h.gateway.close();
    // Age the stored entry beyond the retention, as if it had sat there for six minutes.
    const store = new LmdbStore(join(h.dir.path, 'data'));
    const entry = store.get('page:/warm');
    expect(entry).toBeDefined();
    store.put('page:/warm', { ...entry!.meta, storedAt: Date.now() - 6 * 60_000 }, entry!.body);
    await store.close();
    h.gateway = await h.start({ INVALIDATION_RETENTION: '5m' });

    const answer = await get('/warm');
    expect(answer.headers.get('cache-status')).toMatch(/detail=retention-expired/);
    await answer.arrayBuffer();
    expect(await outcome(get('/warm'))).toBe('HIT');
  });

  it('sweeps hard-invalidated and expired entries from the store in the background', async () => {
    await h.gateway.close();
    h.gateway = await h.start({ SWEEP_INTERVAL_MS: '200' });
    await h.applyRule({ id: 'short', pathPatterns: ['^/short/.*$'], ttl: '1s' });
    await h.applyRule({ id: 'lasting', pathPatterns: ['^/lasting/.*$'], ttl: '1s', staleIfError: '1h' });
    const seq = await h.invalidate({ kind: 'scope', cache: 'page' });
    await eventually(async () => expect(await appliedSeq()).toBe(seq));
    for (const path of ['/short/1', '/lasting/1', '/kept']) expect(await outcome(get(path))).toBe('MISS');

    // /warm (filled before the invalidation) and /short/1 (expired, no stale window) go;
    // /lasting/1 keeps its staleIfError hour, /kept its TTL.
    await eventually(async () => expect(await h.metric('cairn_gateway_entries_swept_total')).toMatch(/swept_total 2$/), { timeoutMs: 5000 });
    await sleep(500);
    expect(await h.metric('cairn_gateway_entries_swept_total')).toMatch(/swept_total 2$/);
  });

  it('keeps following the invalidation stream across a NATS server restart', async () => {
    expect(await outcome(get('/warm'))).toBe('HIT');
    await h.nats.restart();
    const seq = await eventually(() => h.invalidate({ kind: 'scope', cache: 'page' }), { timeoutMs: 10_000 });
    await eventually(async () => expect(await appliedSeq()).toBe(seq), { timeoutMs: 10_000 });
    expect(await outcome(get('/warm'))).toBe('MISS');
  });

  it('skips and counts a malformed invalidation event and applies the next one', async () => {
    // Another subject than the valid event's: the stream keeps one message per subject, so
    // on the same subject the valid event could replace the malformed one before delivery.
    const marked = invalidationPublisherHeaders();
    await h.nc.jetstream().publish(subjects.invalidation('scope', 'api', undefined), new TextEncoder().encode('{"kind":"scope"}'), { headers: marked });
    const seq = await h.invalidate({ kind: 'scope', cache: 'page' });
    await eventually(async () => expect(await appliedSeq()).toBe(seq));
    expect(await outcome(get('/warm'))).toBe('MISS');
    expect(await h.metric('cairn_gateway_malformed_messages_total')).toMatch(/stream="CACHE_INVALIDATIONS"} 1/);
  });
});
