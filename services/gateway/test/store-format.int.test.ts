/**
 * A store written before #9 keeps long tags and paths under the old index key form; the
 * gateway adds them under the current one at start, so deletions through the index find
 * those entries again.
 */
import { join } from 'node:path';
import { tempDir, type TempDir } from '@cairn/testing';
import { open } from 'lmdb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { entryMeta } from './entry-meta.js';
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
