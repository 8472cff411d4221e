import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { decodeReplicatedFill, encodeMessage, encodeReplicatedFill, subjects, type ReplicatedFill, type WarmAck } from '@cairn/shared';
import { eventually } from '@cairn/testing';
import type { Subscription } from 'nats';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Gateway } from '../src/gateway.js';
import { outcome, startGatewayHarness, type GatewayHarness } from './gateway-harness.js';

const STORED_REPLICAS = 'cairn_gateway_replication_received_total{result="stored"}';

/** Gateway A is the harness's ('test-gateway'); B and C are its peers on the same NATS and origin. */
describe('active caching across gateways', () => {
  let h: GatewayHarness;
  let b: Gateway;
  let fills: ReplicatedFill[];
  let captured: Subscription;
  const peer = (id: string) => h.start({ GATEWAY_ID: id, DATA_DIR: join(h.dir.path, `data-${id}`) });
  const get = (gateway: Gateway, path: string) => fetch(`${gateway.url}${path}`);
  const appliedSeq = async (gateway: Gateway) => ((await (await fetch(`${gateway.adminUrl}/ready`)).json()) as { invalidations: { appliedSeq: number } }).invalidations.appliedSeq;
  const metricOf = async (gateway: Gateway, line: string) => {
    const text = await (await fetch(`${gateway.adminUrl}/metrics`)).text();
    return Number(text.split('\n').find((l) => l.startsWith(line))?.split(' ')[1] ?? 0);
  };

  beforeEach(async () => {
    h = await startGatewayHarness(() => ({ cacheTagsHeader: 'x-tags' }));
    b = await peer('gw-b');
    fills = [];
    captured = h.nc.subscribe(subjects.fillReplication, {
      callback: (_err, msg) => {
        const decoded = decodeReplicatedFill(msg.data);
        if (decoded.ok) fills.push(decoded.value);
      },
    });
    await h.putRule({ id: 'all', pathPatterns: ['^/.*$'], ttl: '1h' });
    await eventually(async () => expect(await outcome(get(h.gateway, '/ready-a'))).toBe('MISS'));
    await eventually(async () => expect(await outcome(get(b, '/ready-b'))).toBe('MISS'));
  });
  afterEach(async () => {
    captured.unsubscribe();
    await b.close();
    await h.close();
  });

  it("answers a HIT on a peer from the filling gateway's replicated fill, without asking the origin", async () => {
    h.origin.route('/product/1', { body: 'product one', headers: { 'x-tags': 'products' } });
    const before = await metricOf(b, STORED_REPLICAS);
    expect(await outcome(get(h.gateway, '/product/1'))).toBe('MISS');

    await eventually(async () => expect(await metricOf(b, STORED_REPLICAS)).toBe(before + 1));
    const response = await get(b, '/product/1');
    expect(response.headers.get('x-cairn-cache')).toBe('HIT');
    expect(await response.text()).toBe('product one');
    expect(h.origin.count('/product/1')).toBe(1);
  });

  it('answers a miss on a peer from the fill another gateway announced, with one origin fetch for both', async () => {
    h.origin.route('/slow', { body: 'slow answer', delayMs: 400 });
    const first = get(h.gateway, '/slow');
    await eventually(() => expect(h.origin.count('/slow')).toBe(1));
    const second = await get(b, '/slow');
    expect(second.headers.get('x-cairn-cache')).toBe('HIT');
    expect(await second.text()).toBe('slow answer');
    expect(await outcome(first)).toBe('MISS');
    expect(h.origin.count('/slow')).toBe(1);
  });

  it('asks the origin itself when the fill a peer announced ends without an entry to replicate', async () => {
    h.origin.route('/flaky', { status: 503, body: 'busy', delayMs: 300 });
    const first = get(h.gateway, '/flaky');
    await eventually(() => expect(h.origin.count('/flaky')).toBe(1));
    const second = await get(b, '/flaky');
    expect(second.status).toBe(503);
    expect((await first).status).toBe(503);
    expect(h.origin.count('/flaky')).toBe(2);
  });

  it('never serves a replicated fill that arrives after a purge of its URL', async () => {
    expect(await outcome(get(h.gateway, '/late'))).toBe('MISS');
    await eventually(() => expect(fills.some((f) => f.meta.url === '/late')).toBe(true));
    const late = fills.find((f) => f.meta.url === '/late')!;
    const seq = await h.invalidate({ kind: 'url', cache: 'all', key: '/late' });
    await eventually(async () => expect(await appliedSeq(b)).toBeGreaterThanOrEqual(seq));
    const before = await metricOf(b, 'cairn_gateway_replication_received_total{result="invalidated"}');

    // The same fill delivered once more, after the purge (seq) was applied.
    h.nc.publish(subjects.fillReplication, encodeReplicatedFill({ ...late, gatewayId: 'gw-slow' }));
    await eventually(async () => expect(await metricOf(b, 'cairn_gateway_replication_received_total{result="invalidated"}')).toBe(before + 1));
    expect(late.meta.fillSeq).toBeLessThan(seq);
    const origin = h.origin.count('/late');
    expect(await outcome(get(b, '/late'))).not.toBe('HIT');
    expect(h.origin.count('/late')).toBe(origin + 1);
  });

  it("ignores a replicated fill older than the peer's own newer fill of the key", async () => {
    // An unrelated invalidation raises the sequence B's own fill records.
    const unrelated = await h.invalidate({ kind: 'url', cache: 'all', key: '/unrelated' });
    await eventually(async () => expect(await appliedSeq(b)).toBeGreaterThanOrEqual(unrelated));
    h.origin.route('/own', { body: 'b fetched this' });
    await eventually(async () => expect(await outcome(get(b, `/own?after=${Date.now()}`))).toBe('MISS'));
    expect(await outcome(get(b, '/own'))).toBe('MISS');
    await eventually(() => expect(fills.some((f) => f.gatewayId === 'gw-b' && f.meta.url === '/own')).toBe(true));
    const own = fills.find((f) => f.gatewayId === 'gw-b' && f.meta.url === '/own')!;
    const before = await metricOf(b, 'cairn_gateway_replication_received_total{result="older"}');

    const older: ReplicatedFill = { ...own, gatewayId: 'gw-old', meta: { ...own.meta, fillSeq: own.meta.fillSeq - 1 }, body: Buffer.from('an older answer'), sentAt: Date.now() };
    h.nc.publish(subjects.fillReplication, encodeReplicatedFill(older));
    await eventually(async () => expect(await metricOf(b, 'cairn_gateway_replication_received_total{result="older"}')).toBe(before + 1));
    const response = await get(b, '/own');
    expect(response.headers.get('x-cairn-cache')).toBe('HIT');
    expect(await response.text()).toBe('b fetched this');
  });

  it('counts and skips a malformed replicated fill', async () => {
    h.nc.publish(subjects.fillReplication, encodeMessage({ not: 'msgpack of a fill' }));
    await eventually(async () => expect(await metricOf(b, 'cairn_gateway_replication_received_total{result="malformed"}')).toBeGreaterThanOrEqual(1));
    expect(await outcome(get(b, '/still-serving'))).toBe('MISS');
  });

  it('keeps serving STALE on every gateway during a refresh, then the one new answer fetched for the fleet', async () => {
    let version = 1;
    h.origin.route('/news', { body: () => `news v${version}`, headers: { 'x-tags': 'news' } });
    const before = await metricOf(b, STORED_REPLICAS);
    expect(await outcome(get(h.gateway, '/news'))).toBe('MISS');
    await eventually(async () => expect(await metricOf(b, STORED_REPLICAS)).toBe(before + 1));
    expect(await outcome(get(b, '/news'))).toBe('HIT');
    version = 2;
    h.origin.route('/news', { body: () => `news v${version}`, headers: { 'x-tags': 'news' }, delayMs: 600 });

    const seq = await h.invalidate({ kind: 'tag', cache: 'all', key: 'news', mode: 'refresh', refreshBy: 'test-gateway' });
    // Asked once both have applied it (the refetch takes 600 ms): earlier, a gateway still serves its HIT.
    for (const gateway of [h.gateway, b]) await eventually(async () => expect(await appliedSeq(gateway)).toBeGreaterThanOrEqual(seq), { intervalMs: 5 });
    const during = await Promise.all([get(h.gateway, '/news'), get(b, '/news')]);
    for (const response of during) {
      expect(response.headers.get('x-cairn-cache')).toBe('STALE');
      expect(await response.text()).toBe('news v1');
    }
    for (const gateway of [h.gateway, b]) {
      await eventually(async () => {
        const response = await get(gateway, '/news');
        expect(response.headers.get('x-cairn-cache')).toBe('HIT');
        expect(await response.text()).toBe('news v2');
      });
    }
    expect(h.origin.count('/news')).toBe(2);
  });

  it('refreshes on its own hit when the chosen gateway sends no new answer in time', async () => {
    h.origin.route('/orphan', { body: 'orphan' });
    expect(await outcome(get(b, '/orphan'))).toBe('MISS');
    await h.invalidate({ kind: 'url', cache: 'all', key: '/orphan', mode: 'refresh', refreshBy: 'gw-gone' });
    await eventually(async () => expect(await outcome(get(b, '/orphan'))).toBe('STALE'));
    await sleep(5_100);
    expect(await outcome(get(b, '/orphan'))).toBe('STALE');
    await eventually(async () => expect(await outcome(get(b, '/orphan'))).toBe('HIT'));
  });

  it('stores an origin push on every gateway as a HIT without asking the origin', async () => {
    const pushed = 'cairn_gateway_origin_pushes_total{result="stored"}';
    const before = await Promise.all([h.gateway, b].map((gateway) => metricOf(gateway, pushed)));
    h.nc.publish(subjects.originPush, encodeMessage({ url: '/pushed?x=1', headers: { 'content-type': 'text/html' }, body: '<h1>pushed</h1>' }));
    // Asked only once the push is stored: an earlier request would be a plain miss.
    for (const [i, gateway] of [h.gateway, b].entries()) {
      await eventually(async () => expect(await metricOf(gateway, pushed)).toBe(before[i]! + 1));
      const response = await get(gateway, '/pushed?x=1');
      expect(response.headers.get('x-cairn-cache')).toBe('HIT');
      expect(response.headers.get('content-type')).toBe('text/html');
      expect(await response.text()).toBe('<h1>pushed</h1>');
    }
    expect(h.origin.count('/pushed')).toBe(0);
  });

  it('counts and skips an origin push with a bad payload', async () => {
    h.nc.publish(subjects.originPush, encodeMessage({ url: 'no-slash', body: 'x' }));
    h.nc.publish(subjects.originPush, new TextEncoder().encode('not json'));
    await eventually(async () => expect(await metricOf(h.gateway, 'cairn_gateway_origin_pushes_total{result="malformed"}')).toBe(2));
    expect(await outcome(get(h.gateway, '/no-slash'))).toBe('MISS');
  });

  it('warms a URL with one origin fetch for the fleet, confirmed by the fetcher and its peer', async () => {
    const acks: WarmAck[] = [];
    const sub = h.nc.subscribe(subjects.warmAcks, { callback: (_err, msg) => acks.push(msg.json<WarmAck>()) });
    try {
      h.nc.publish(subjects.warmRequests, encodeMessage({ warmId: 'w1', url: '/warm/me', fetchBy: 'gw-b' }));
      await eventually(() => expect(acks.map((a) => `${a.gatewayId}:${a.outcome}:${a.fetched}`).sort()).toEqual(['gw-b:stored:true', 'test-gateway:stored:false']));
      expect(await outcome(get(h.gateway, '/warm/me'))).toBe('HIT');
      expect(await outcome(get(b, '/warm/me'))).toBe('HIT');
      expect(h.origin.count('/warm/me')).toBe(1);
    } finally {
      sub.unsubscribe();
    }
  });

  it('warms a URL its fetcher holds already onto a peer that lacks it, without asking the origin', async () => {
    expect(await outcome(get(h.gateway, '/warm/held'))).toBe('MISS');
    // Started after the fill: it never saw the replica.
    const c = await peer('gw-c');
    const acks: WarmAck[] = [];
    const sub = h.nc.subscribe(subjects.warmAcks, { callback: (_err, msg) => acks.push(msg.json<WarmAck>()) });
    try {
      h.nc.publish(subjects.warmRequests, encodeMessage({ warmId: 'w3', url: '/warm/held', fetchBy: 'test-gateway' }));
      await eventually(() => expect(acks.map((a) => `${a.gatewayId}:${a.outcome}:${a.fetched}`).sort()).toEqual(['gw-b:stored:false', 'gw-c:stored:false', 'test-gateway:cached:false']));
      expect(await outcome(get(c, '/warm/held'))).toBe('HIT');
      expect(h.origin.count('/warm/held')).toBe(1);
    } finally {
      sub.unsubscribe();
      await c.close();
    }
  });

  it('reports a warmed URL the origin fails as failed, with its status', async () => {
    h.origin.route('/warm/broken', { status: 500, body: 'down' });
    const acks: WarmAck[] = [];
    const sub = h.nc.subscribe(subjects.warmAcks, { callback: (_err, msg) => acks.push(msg.json<WarmAck>()) });
    try {
      h.nc.publish(subjects.warmRequests, encodeMessage({ warmId: 'w2', url: '/warm/broken', fetchBy: 'test-gateway' }));
      await eventually(() => expect(acks).toHaveLength(1));
      expect(acks[0]).toMatchObject({ gatewayId: 'test-gateway', outcome: 'failed', status: 500, fetched: true });
    } finally {
      sub.unsubscribe();
    }
  });
});

describe('refresh-ahead', () => {
  let h: GatewayHarness;
  beforeEach(async () => {
    h = await startGatewayHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  it('refreshes an entry close to its expiry with one origin fetch under concurrent hits', async () => {
    await h.applyRule({ id: 'ahead', pathPatterns: ['^/popular$'], ttl: '4s', refreshAhead: '3s' });
    h.origin.route('/popular', { body: 'popular', delayMs: 200 });
    expect(await outcome(fetch(`${h.gateway.url}/popular`))).toBe('MISS');
    // Past every gateway's share of the window (at least half of it), still fresh.
    await sleep(2_700);
    const answers = await Promise.all(Array.from({ length: 20 }, () => outcome(fetch(`${h.gateway.url}/popular`))));
    expect(answers.every((a) => a === 'HIT')).toBe(true);
    await eventually(() => expect(h.origin.count('/popular')).toBe(2));
    await sleep(300);
    expect(h.origin.count('/popular')).toBe(2);
    // The refreshed entry is fresh for a new TTL: well past the first one's expiry, still a HIT.
    await sleep(1_500);
    expect(await outcome(fetch(`${h.gateway.url}/popular`))).toBe('HIT');
  });

  it('tries a failed refresh again only after a pause, not on every hit', async () => {
    await h.applyRule({ id: 'ahead', pathPatterns: ['^/failing$'], ttl: '4s', refreshAhead: '3s' });
    h.origin.route('/failing', { body: 'good' });
    expect(await outcome(fetch(`${h.gateway.url}/failing`))).toBe('MISS');
    h.origin.route('/failing', { handle: (_request, response) => void response.socket?.destroy() });
    await sleep(2_700);
    expect(await outcome(fetch(`${h.gateway.url}/failing`))).toBe('HIT');
    await eventually(() => expect(h.origin.count('/failing')).toBe(2));
    await sleep(100);
    // One at a time, each after the failed refresh ended: none starts another.
    for (let i = 0; i < 10; i++) expect(await outcome(fetch(`${h.gateway.url}/failing`))).toBe('HIT');
    expect(h.origin.count('/failing')).toBe(2);
  });
});
