import { subjects, type InvalidationAck } from '@cairn/shared';
import { eventually } from '@cairn/testing';
import type { Subscription } from 'nats';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { outcome, startGatewayHarness, type GatewayHarness } from './gateway-harness.js';

const ENTRIES = 1000;
/** Paths of assorted lengths, so index keys and entry keys span every size the store sees. */
const pathOf = (i: number) => `/catalog/${'section/'.repeat(i % 7)}item-${i}`;

describe('deletions through the tag and URL indexes', () => {
  let h: GatewayHarness;
  let acks: Subscription;
  const deletedBySeq = new Map<number, number>();
  const get = (path: string) => fetch(`${h.gateway.url}${path}`);

  beforeEach(async () => {
    h = await startGatewayHarness(() => ({ cacheTagsHeader: 'x-tags' }));
    deletedBySeq.clear();
    acks = h.nc.subscribe(subjects.invalidationAcks, {
      callback: (_err, msg) => {
        const ack = msg.json<InvalidationAck>();
        deletedBySeq.set(ack.seq, ack.deleted);
      },
    });
    await h.putRule({ id: 'all', pathPatterns: ['^/.*$'], ttl: '1h' });
    await eventually(async () => expect(await outcome(get('/warm'))).toBe('MISS'));
  });
  afterEach(async () => {
    acks.unsubscribe();
    await h.close();
  });

  it('deletes the entry of each of 1,000 url events and acknowledges each with deleted: 1 (#9)', async () => {
    for (let i = 0; i < ENTRIES; i++) {
      h.origin.route(pathOf(i), { body: `item ${i}`, headers: { 'x-tags': `item-${i} catalog` } });
      expect(await outcome(get(`${pathOf(i)}?lang=en`))).toBe('MISS');
    }
    expect(await outcome(get(`${pathOf(ENTRIES - 1)}?lang=en`))).toBe('HIT');

    const seqs: number[] = [];
    for (let i = 0; i < ENTRIES; i++) seqs.push(await h.invalidate({ kind: 'url', cache: 'all', key: pathOf(i) }));
    await eventually(() => expect(deletedBySeq.size).toBe(ENTRIES), { timeoutMs: 20_000 });

    expect(seqs.filter((seq) => deletedBySeq.get(seq) !== 1)).toEqual([]);
    expect(await outcome(get(`${pathOf(0)}?lang=en`))).toBe('MISS');
    expect(h.origin.count(pathOf(0))).toBe(2);
  });

  it('deletes every entry that carries a tag and leaves the others (#9)', async () => {
    for (let i = 0; i < 50; i++) {
      h.origin.route(pathOf(i), { headers: { 'x-tags': i % 2 === 0 ? 'even catalog' : 'odd' } });
      expect(await outcome(get(pathOf(i)))).toBe('MISS');
    }

    const seq = await h.invalidate({ kind: 'tag', cache: 'page', key: 'even' });
    await eventually(() => expect(deletedBySeq.get(seq)).toBe(25));
    const second = await h.invalidate({ kind: 'tag', cache: 'page', key: 'even' });
    await eventually(() => expect(deletedBySeq.get(second)).toBe(0));

    expect(await outcome(get(pathOf(1)))).toBe('HIT');
    expect(await outcome(get(pathOf(2)))).toBe('MISS');
  });

  it('deletes only the variant a url event with a query names (#9)', async () => {
    for (const lang of ['en', 'fr', 'de']) expect(await outcome(get(`${pathOf(3)}?lang=${lang}`))).toBe('MISS');

    const seq = await h.invalidate({ kind: 'url', cache: 'page', key: `${pathOf(3)}?lang=fr` });
    await eventually(() => expect(deletedBySeq.get(seq)).toBe(1));
    const all = await h.invalidate({ kind: 'url', cache: 'page', key: pathOf(3) });
    await eventually(() => expect(deletedBySeq.get(all)).toBe(2));
  });
});
