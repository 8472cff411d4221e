/**
 * Concurrent readers of a large entry share one body (#9: 300 slow clients of a 5 MB HIT
 * held 300 copies), and a put or remove of the key is seen by the next read at once.
 */
import { join } from 'node:path';
import { tempDir, type TempDir } from '@cairn/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { entryMeta } from './entry-meta.js';
import { LmdbStore } from '../src/store/lmdb-store.js';
import { SHARED_BODY_MIN_BYTES } from '../src/store/shared-entries.js';

const meta = (url: string) => entryMeta(url, { headers: { 'content-type': 'application/octet-stream' } });
const large = (fill: string) => Buffer.alloc(SHARED_BODY_MIN_BYTES * 4, fill);

describe('shared large entries', () => {
  let dir: TempDir;
  let store: LmdbStore;
  /** Transactions commit in order: once this removal has, every earlier put has too. */
  const committed = () => store.remove('page:/barrier');

  beforeEach(async () => {
    dir = await tempDir('cairn-shared-entries-');
    store = new LmdbStore(join(dir.path, 'data'));
  });
  afterEach(async () => {
    await store.close();
    await dir.remove();
  });

  it('hands every reader of a large stored entry the same body memory (#9)', async () => {
    store.put('page:/a', meta('/a'), large('a'));
    store.put('page:/b', meta('/b'), large('b'));
    await committed();

    const first = store.get('page:/a');
    const other = store.get('page:/b');
    const second = store.get('page:/a');
    expect(second?.body.buffer).toBe(first?.body.buffer);
    expect(other?.body.buffer).not.toBe(first?.body.buffer);
    expect(first?.body.equals(large('a'))).toBe(true);
    expect(other?.body.equals(large('b'))).toBe(true);
  });

  it('copies small bodies per read', async () => {
    store.put('page:/small', meta('/small'), Buffer.from('small'));
    await committed();
    const first = store.get('page:/small')?.body;
    const second = store.get('page:/small')?.body;
    // Small copies may share a pool slab (Buffer.allocUnsafe): a copy is one another reader's writes never reach.
    first?.fill('x');
    expect(second?.toString()).toBe('small');
  });

  it('never answers with a replaced or removed entry while readers still hold the old one (#9)', async () => {
    store.put('page:/a', meta('/a'), large('a'));
    await committed();
    const held = store.get('page:/a');

    store.put('page:/a', meta('/a'), large('c'));
    expect(store.get('page:/a')?.body.equals(large('c'))).toBe(true);
    await committed();
    expect(store.get('page:/a')?.body.equals(large('c'))).toBe(true);
    expect(held?.body.equals(large('a'))).toBe(true);

    await store.remove('page:/a');
    expect(store.get('page:/a')).toBeUndefined();
  });

  it('forgets entries deleted through the index (#9)', async () => {
    store.put('page:/a', meta('/a'), large('a'));
    await committed();
    const held = store.get('page:/a');
    expect(await store.deleteIndexed('url', '/a', () => 'delete')).toBe(1);
    expect(store.get('page:/a')).toBeUndefined();
    expect(held?.body.length).toBe(SHARED_BODY_MIN_BYTES * 4);
  });
});
