/**
 * A store written before #9 keeps long tags and paths under the old index key form; the
 * gateway adds them under the current one at start, so deletions through the index find
 * those entries again. A store written before #13 holds whole entries (head and body in
 * one value): they are read as they are, and `migrate` splits them.
 */
import { join } from 'node:path';
import { tempDir, type TempDir } from '@cairn/testing';
import { open } from 'lmdb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { entryMeta } from './entry-meta.js';
import { decodeMeta, encodeWholeEntry, isWholeEntry } from '../src/store/cache-entry.js';
import { indexKey } from '../src/store/index-key.js';
import { LmdbStore } from '../src/store/lmdb-store.js';

const LONG_TAG = 'é'.repeat(600);
const meta = entryMeta('/a', { tags: [LONG_TAG, 'short'] });

/** Rewrites the store as the old format left it: the long tag's value under its verbatim key, no format record. */
async function downgrade(path: string): Promise<void> {
  const root = open({ path, compression: false });
  const index = root.openDB<string, string>({ name: 'index', encoding: 'string', dupSort: true });
  const metaDb = root.openDB<unknown, string>({ name: 'meta', encoding: 'msgpack' });
  await root.transaction(() => {
    index.removeSync(indexKey('tag', LONG_TAG), 'page:/a');
    index.putSync(`t\u0000${LONG_TAG}`, 'page:/a');
    metaDb.removeSync('indexFormat');
  });
  await root.close();
}

describe('the store index format', () => {
  let dir: TempDir;
  let path: string;

  beforeEach(async () => {
    dir = await tempDir('cairn-store-format-');
    path = join(dir.path, 'data');
    const store = new LmdbStore(path);
    await store.resetForStream('stream-1');
    store.put('page:/a', meta, Buffer.from('a'));
    await store.close();
  });
  afterEach(async () => {
    await dir.remove();
  });

  it('records the current format in a new store', async () => {
    const store = new LmdbStore(path);
    expect(store.indexOutdated).toBe(false);
    await store.close();
  });

  it('reindexes a store written in the old format so a long tag finds its entry again (#9)', async () => {
    await downgrade(path);
    const store = new LmdbStore(path);
    expect(store.indexOutdated).toBe(true);
    expect(await store.deleteIndexed('tag', LONG_TAG, () => 'delete')).toBe(0);

    expect(await store.reindex()).toBe(1);
    expect(store.indexOutdated).toBe(false);
    expect(await store.deleteIndexed('tag', LONG_TAG, (m) => (m.tags.includes(LONG_TAG) ? 'delete' : 'unindex'))).toBe(1);
    expect(store.get('page:/a')).toBeUndefined();
    await store.close();
  });
});

describe('a store of whole entries, written before #13', () => {
  let dir: TempDir;
  let path: string;
  const body = (i: number) => Buffer.alloc(1000 + i, `body-${i}`);
  const ENTRIES = 450;

  /** Writes the store as a gateway before #13 left it: whole entries, their index values, no size records. */
  beforeEach(async () => {
    dir = await tempDir('cairn-store-layout-');
    path = join(dir.path, 'data');
    const root = open({ path, compression: false });
    const entries = root.openDB<Buffer, string>({ name: 'entries', encoding: 'binary' });
    const index = root.openDB<string, string>({ name: 'index', encoding: 'string', dupSort: true });
    const metaDb = root.openDB<unknown, string>({ name: 'meta', encoding: 'msgpack' });
    await root.transaction(() => {
      for (let i = 0; i < ENTRIES; i++) {
        const m = entryMeta(`/old/${i}`, { tags: ['old'] });
        entries.putSync(`page:/old/${i}`, encodeWholeEntry(m, body(i)));
        index.putSync(indexKey('tag', 'old'), `page:/old/${i}`);
        index.putSync(indexKey('url', m.urlPath), `page:/old/${i}`);
      }
      metaDb.putSync('invalidationsStreamCreated', 'stream-1');
      metaDb.putSync('indexFormat', 2);
    });
    await root.close();
  });
  afterEach(async () => {
    await dir.remove();
  });

  it('serves its entries as they are before any migration', async () => {
    const store = new LmdbStore(path);
    expect(store.layoutOutdated).toBe(true);
    expect(store.bound.entries).toBe(ENTRIES);
    const entry = store.get('page:/old/7');
    expect([entry?.meta.url, entry?.body.equals(body(7))]).toEqual(['/old/7', true]);
    await store.close();
  });

  it('splits every entry into head and body in batches, keeping what a read and a tag deletion find (#13)', async () => {
    const store = new LmdbStore(path);
    expect(await store.migrate()).toBe(ENTRIES);
    expect(store.layoutOutdated).toBe(false);
    expect(store.get('page:/old/449')?.body.equals(body(449))).toBe(true);
    expect(store.bound.entries).toBe(ENTRIES);
    expect(store.scan(undefined, 5).map(({ meta }) => meta.tags)).toEqual(Array.from({ length: 5 }, () => ['old']));
    // A second pass finds nothing left to split.
    expect(await store.migrate()).toBe(0);
    await store.close();

    const root = open({ path, readOnly: true });
    const entries = root.openDB<Buffer, string>({ name: 'entries', encoding: 'binary' });
    const bodies = root.openDB<Buffer, string>({ name: 'bodies', encoding: 'binary' });
    const head = entries.getBinary('page:/old/3') as Buffer;
    expect([isWholeEntry(head), decodeMeta(head).url, bodies.getBinary('page:/old/3')?.equals(body(3))]).toEqual([false, '/old/3', true]);
    expect(head.length).toBeLessThan(1000);
    await root.close();

    const reopened = new LmdbStore(path);
    expect(reopened.layoutOutdated).toBe(false);
    expect(await reopened.deleteIndexed('tag', 'old', () => 'delete')).toBe(ENTRIES);
    expect(reopened.bound).toEqual({ bytes: 0, entries: 0, maxBytes: Infinity });
    await reopened.close();
  });

  it('leaves an entry stored again meanwhile as it was stored', async () => {
    const store = new LmdbStore(path);
    store.put('page:/old/0', entryMeta('/old/0', { tags: ['new'] }), Buffer.from('newer'));
    await store.migrate();
    expect(store.get('page:/old/0')?.body.toString()).toBe('newer');
    expect(store.get('page:/old/0')?.meta.tags).toEqual(['new']);
    await store.close();
  });
});
