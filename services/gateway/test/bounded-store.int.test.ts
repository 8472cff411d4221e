/**
 * The store under CACHE_MAX_BYTES (#13), on a real LMDB in a temp dir: it stays under its
 * bound whatever is written, keeps the entries hit over cold ones (CLOCK), removes what
 * an evicted entry indexed, and finds its total again after a restart. The total is kept
 * in LMDB and evictions happen in the write transactions, so the tests let writes commit
 * as a gateway's do, between requests.
 */
import { join } from 'node:path';
import { tempDir, type TempDir } from '@cairn/testing';
import { open } from 'lmdb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { indexKey, LmdbStore } from '../src/store/lmdb-store.js';
import { entryMeta } from './entry-meta.js';

const MAX_BYTES = 200 * 1024;
const BODY = Buffer.alloc(2 * 1024, 'x');
/** Ten times what fits. */
const WRITES = 1000;
/** Writes between commits: a burst of fills in one event turn. */
const BURST = 10;

describe('a bounded store (#13)', () => {
  let dir: TempDir;
  let path: string;
  let store: LmdbStore;

  beforeEach(async () => {
    dir = await tempDir('cairn-bounded-');
    path = join(dir.path, 'data');
    store = new LmdbStore(path, { maxBytes: MAX_BYTES });
  });
  afterEach(async () => {
    await store.close();
    await dir.remove();
  });

  const put = (key: string, tags: string[] = []) => store.put(key, entryMeta(key, { tags }), BODY);
  const burstDone = async (i: number) => {
    if (i % BURST === BURST - 1) await store.flushed();
  };

  it('stays under its bound while ten times more than fits is written, and keeps the entries hit meanwhile (#13)', async () => {
    const hot = ['/hot/0', '/hot/1', '/hot/2', '/hot/3'];
    for (const key of hot) put(key);
    for (let i = 0; i < WRITES; i++) {
      put(`/cold/${i}`);
      for (const key of hot) expect(store.get(key)).toBeDefined();
      await burstDone(i);
      expect(store.bound.bytes).toBeLessThanOrEqual(MAX_BYTES);
    }
    await store.flushed();
    expect(store.bound.bytes).toBeLessThanOrEqual(MAX_BYTES);
    expect(store.bound.entries).toBeGreaterThan(50);
    expect(store.get('/cold/0')).toBeUndefined();
    expect(store.get(`/cold/${WRITES - 1}`)).toBeDefined();

    // What LMDB holds is what the bound counts, and a restart finds the same total.
    const { bytes, entries } = store.bound;
    await store.close();
    store = new LmdbStore(path, { maxBytes: MAX_BYTES });
    expect(store.entryCount).toBe(entries);
    expect(store.bound).toEqual({ bytes, entries, maxBytes: MAX_BYTES });
    for (const key of hot) expect(store.get(key)?.body.length).toBe(BODY.length);
  });

  it('removes an evicted entry\'s tag and URL index values, so a tag invalidation finds no ghost (#13)', async () => {
    for (let i = 0; i < WRITES / 4; i++) {
      put(`/tagged/${i}`, ['shared', `own-${i}`]);
      await burstDone(i);
    }
    await store.flushed();
    const live = store.bound.entries;
    expect(live).toBeLessThan(WRITES / 4);
    await store.close();

    const root = open({ path, readOnly: true });
    const index = root.openDB<string, string>({ name: 'index', encoding: 'string', dupSort: true });
    expect(index.getValuesCount(indexKey('tag', 'shared'))).toBe(live);
    expect(index.getValuesCount(indexKey('tag', 'own-0'))).toBe(0);
    expect(index.getValuesCount(indexKey('url', '/tagged/0'))).toBe(0);
    expect(index.getValuesCount(indexKey('url', `/tagged/${WRITES / 4 - 1}`))).toBe(1);
    await root.close();

    store = new LmdbStore(path, { maxBytes: MAX_BYTES });
    const seen: string[] = [];
    const deleted = await store.deleteIndexed('tag', 'shared', (meta) => {
      seen.push(meta.url);
      return 'delete';
    });
    expect([deleted, seen.length]).toEqual([live, live]);
    expect(store.bound).toEqual({ bytes: 0, entries: 0, maxBytes: MAX_BYTES });
  });

  it('drops the index values of the tags an entry no longer has when it is stored again (#13)', async () => {
    put('/retagged', ['old', 'kept']);
    put('/retagged', ['kept', 'new']);
    await store.close();

    const root = open({ path, readOnly: true });
    const index = root.openDB<string, string>({ name: 'index', encoding: 'string', dupSort: true });
    expect(index.getValuesCount(indexKey('tag', 'old'))).toBe(0);
    expect(index.getValuesCount(indexKey('tag', 'kept'))).toBe(1);
    expect(index.getValuesCount(indexKey('tag', 'new'))).toBe(1);
    expect(index.getValuesCount(indexKey('url', '/retagged'))).toBe(1);
    await root.close();

    store = new LmdbStore(path, { maxBytes: MAX_BYTES });
    expect(await store.deleteIndexed('tag', 'old', () => 'delete')).toBe(0);
    expect(store.get('/retagged')?.meta.tags).toEqual(['kept', 'new']);
  });

  it('records the sizes of a store written before the bound once, at the first start (#13)', async () => {
    for (let i = 0; i < 20; i++) put(`/old/${i}`, ['tag']);
    await store.flushed();
    const { bytes, entries } = store.bound;
    expect(entries).toBe(20);
    await store.close();
    // As an older gateway left it: no size records, no mark that they were made, no total.
    const root = open({ path });
    await root.openDB({ name: 'sizes' }).clearAsync();
    await root.openDB({ name: 'meta', encoding: 'msgpack' }).remove('sizesRecorded');
    await root.openDB({ name: 'meta', encoding: 'msgpack' }).remove('boundTotal');
    await root.close();

    store = new LmdbStore(path, { maxBytes: MAX_BYTES });
    expect(store.bound).toEqual({ bytes, entries, maxBytes: MAX_BYTES });
  });

  it('evicts a variant marker together with its variants, however recently they were hit (#13)', async () => {
    const variant = (id: string) => ({ ...entryMeta('/varied'), varyOn: ['x-device'], variantId: id });
    store.putVariant('/varied', variant('a'), BODY, 16);
    store.putVariant('/varied', variant('b'), BODY, 16);
    // The variants are hit, their marker is not: it goes, and takes them, hit or not.
    let hitUntil = -1;
    for (let i = 0; i < WRITES / 4; i++) {
      put(`/later/${i}`);
      if (store.get('/varied|v:a') !== undefined && store.get('/varied|v:b') !== undefined) hitUntil = i;
      await burstDone(i);
    }
    await store.flushed();
    expect(hitUntil).toBeGreaterThan(0);
    expect(hitUntil).toBeLessThan(WRITES / 4 - 1);
    expect(store.get('/varied')).toBeUndefined();
    expect(store.get('/varied|v:a')).toBeUndefined();
    expect(store.get('/varied|v:b')).toBeUndefined();
    expect(store.bound.bytes).toBeLessThanOrEqual(MAX_BYTES);
  });
});
