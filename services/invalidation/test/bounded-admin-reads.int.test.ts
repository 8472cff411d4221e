/**
 * Admin reads and registries stay bounded whatever senders do (#9): the event listing is
 * paged with a cursor and a maximum page; rejection labels come from a closed set; the
 * gateway registry holds at most GATEWAY_REGISTRY_MAX ids and forgets silent ones.
 */
import { encodeMessage, GATEWAY_LIVENESS_MS, invalidationPublisherHeaders, streamNames, subjects } from '@cairn/shared';
import { eventually } from '@cairn/testing';
import { describe, expect, it } from 'vitest';
import { MAX_LIST_LIMIT } from '../src/routes/invalidate.js';
import { useInvalidationService } from './invalidation-harness.js';

interface Listed {
  events: Array<{ sequence: number; kind: string; key?: string; mode: string }>;
  next: number | null;
}

describe('bounded admin reads', () => {
  const svc = useInvalidationService();
  const { start, metrics } = svc;
  const post = (body: unknown) =>
    fetch(`${svc.service.url}/cache/invalidate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const list = async (query: string): Promise<Listed> => {
    const response = await fetch(`${svc.service.url}/cache/invalidations${query}`);
    expect(response.status).toBe(200);
    return (await response.json()) as Listed;
  };
  const heartbeat = (gatewayId: string) =>
    svc.nc.publish(subjects.gatewayHeartbeats, encodeMessage({ gatewayId, appliedSeq: 0, mode: 'normal', sentAt: new Date().toISOString() }));


  it('pages the latest events newest first with a cursor, each event once, and leaves no reader behind (#9)', async () => {
    await start();
    for (let i = 0; i < 23; i++) expect((await post({ type: 'cacheTag', cacheTag: `t${i}`, runAsync: true })).status).toBe(202);
    // A replaced target keeps only its newest event.
    expect((await post({ type: 'cacheTag', cacheTag: 't0', runAsync: true })).status).toBe(202);

    const seen: number[] = [];
    let query = '?limit=5';
    for (let page = 0; page < 10; page++) {
      const body = await list(query);
      expect(body.events.length).toBeLessThanOrEqual(5);
      seen.push(...body.events.map((e) => e.sequence));
      if (body.next === null) break;
      query = `?limit=5&before=${body.next}`;
    }
    expect(seen).toHaveLength(23);
    expect(seen).toEqual([...seen].sort((a, b) => b - a));
    expect((await list('?limit=1')).events[0]).toMatchObject({ key: 't0' });
    const { state } = await (await svc.nc.jetstreamManager()).streams.info(streamNames.invalidations);
    expect(state.consumer_count).toBe(0);
  });

  it('pages a stream whose targets were purged many times, where most sequences are gone (#9)', async () => {
    await start();
    const marked = invalidationPublisherHeaders();
    const js = svc.nc.jetstream();
    const lastSeqOf = new Map<string, number>();
    for (let i = 0; i < 300; i++) {
      const key = `k${i % 7}`;
      const event = { id: `e${i}`, kind: 'tag', cache: 'all', key, mode: 'hard', issuedAt: new Date().toISOString(), source: 'nats' };
      lastSeqOf.set(key, (await js.publish(subjects.invalidation('tag', 'all', key), encodeMessage(event), { headers: marked })).seq);
    }
    const expected = [...lastSeqOf.values()].sort((a, b) => b - a);
    const seen: number[] = [];
    let query = '?limit=2';
    for (let page = 0; page < 10; page++) {
      const body = await list(query);
      seen.push(...body.events.map((e) => e.sequence));
      if (body.next === null) break;
      query = `?limit=2&before=${body.next}`;
    }
    expect(seen).toEqual(expected);
  });

  it('filters by kind across both modes, by mode, and by a long (hashed) key (#9)', async () => {
    await start();
    const longUrl = `/long?q=${'q'.repeat(5000)}`;
    await post({ type: 'cacheTag', cacheTag: 'news', runAsync: true });
    await post({ type: 'cacheTag', cacheTag: 'sports', mode: 'soft', runAsync: true });
    await post({ type: 'url', url: longUrl, runAsync: true });
    await post({ type: 'page', runAsync: true });

    expect((await list('?kind=tag')).events.map((e) => [e.key, e.mode])).toEqual([
      ['sports', 'soft'],
      ['news', 'hard'],
    ]);
    expect((await list('?kind=tag&mode=hard')).events.map((e) => e.key)).toEqual(['news']);
    expect((await list(`?key=${encodeURIComponent(longUrl)}`)).events.map((e) => e.key)).toEqual([longUrl]);
    expect((await list('?cache=page')).events.map((e) => e.kind)).toEqual(['scope']);
  });

  it(`refuses a page larger than ${MAX_LIST_LIMIT} (#9)`, async () => {
    await start();
    expect((await fetch(`${svc.service.url}/cache/invalidations?limit=${MAX_LIST_LIMIT + 1}`)).status).toBe(400);
  });

  it('labels rejections of unknown fields with one closed value, however many names senders invent (#9)', async () => {
    await start();
    for (let i = 0; i < 30; i++) svc.nc.publish(subjects.invalidationCommands, encodeMessage({ type: 'api', [`field_${i}`]: 1 }));
    for (let i = 0; i < 5; i++) expect((await post({ type: 'api', [`rest_${i}`]: 1 })).status).toBe(400);
    await eventually(async () => expect(await metrics()).toMatch(/cairn_invalidation_rejected_total\{source="nats",reason="invalid:other"\} 30/));
    // Series appear in the order their first rejection was counted: NATS and REST race.
    const series = (await metrics()).split('\n').filter((line) => line.startsWith('cairn_invalidation_rejected_total{')).sort();
    expect(series).toEqual(['cairn_invalidation_rejected_total{source="nats",reason="invalid:other"} 30', 'cairn_invalidation_rejected_total{source="rest",reason="invalid:other"} 5']);
  });

  it('holds at most GATEWAY_REGISTRY_MAX gateways, counts the refused ones and bounds what a POST waits for and returns (#9)', async () => {
    await start({ GATEWAY_REGISTRY_MAX: '5', ACK_TIMEOUT_MS: '200' });
    for (let i = 0; i < 50; i++) heartbeat(`fake-${i}`);
    await eventually(async () => expect(await metrics()).toMatch(/cairn_invalidation_gateways_refused_total 45/));
    const live = (await (await fetch(`${svc.service.url}/gateways`)).json()) as { gateways: unknown[] };
    expect(live.gateways).toHaveLength(5);

    const body = (await (await post({ type: 'all' })).json()) as { pending: string[]; acknowledgedBy: string[] };
    expect(body.pending).toHaveLength(5);
    expect(body.acknowledgedBy).toEqual([]);
  });

  it('forgets silent gateways, so a new one can register once fakes stop (#9)', async () => {
    await start({ GATEWAY_REGISTRY_MAX: '3' });
    for (let i = 0; i < 3; i++) heartbeat(`fake-${i}`);
    await eventually(async () => expect(((await (await fetch(`${svc.service.url}/gateways`)).json()) as { gateways: unknown[] }).gateways).toHaveLength(3));
    await eventually(
      async () => {
        heartbeat('real');
        const live = (await (await fetch(`${svc.service.url}/gateways`)).json()) as { gateways: Array<{ gatewayId: string }> };
        expect(live.gateways.map((g) => g.gatewayId)).toEqual(['real']);
      },
      { timeoutMs: GATEWAY_LIVENESS_MS * 3, intervalMs: 200 },
    );
  });

  it('drops acknowledgements from gateways it does not list as live (#9)', async () => {
    await start({ ACK_TIMEOUT_MS: '200' });
    heartbeat('g1');
    await eventually(async () => expect(((await (await fetch(`${svc.service.url}/gateways`)).json()) as { gateways: unknown[] }).gateways).toHaveLength(1));
    const { id, sequence } = (await (await post({ type: 'all', runAsync: true })).json()) as { id: string; sequence: number };
    for (const gatewayId of ['g1', 'ghost-1', 'ghost-2']) svc.nc.publish(subjects.invalidationAcks, encodeMessage({ eventId: id, seq: sequence, gatewayId, deleted: 7 }));
    await eventually(async () => expect(await metrics()).toMatch(/cairn_invalidation_acks_ignored_total 2/));
    expect(await (await fetch(`${svc.service.url}/cache/invalidate/${id}`)).json()).toMatchObject({ acknowledgedBy: ['g1'], deleted: 7 });
  });
});
