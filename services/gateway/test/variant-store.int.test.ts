/**
 * Variants in the LMDB store (#10): a URL key's marker and its variants are written in one
 * transaction, the marker lists at most the bound, and a variant it stopped listing is gone.
 */
import { tempDir, type TempDir } from '@cairn/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { entryMeta } from './entry-meta.js';
import { LmdbStore } from '../src/store/lmdb-store.js';
import { isVariantMarker, variantKey, type VariantMeta } from '../src/store/variants.js';

const URL_KEY = 'page:/a';

function variant(id: string): VariantMeta {
  return { ...entryMeta('/a', { headers: { vary: 'user-agent' }, tags: ['t'] }), varyOn: ['user-agent'], variantId: id };
}

describe('variant store', () => {
  let dir: TempDir;
  let store: LmdbStore;
  beforeEach(async () => {
    dir = await tempDir('cairn-variants-');
    store = new LmdbStore(dir.path);
  });
  afterEach(async () => {
    await store.close();
    await dir.remove();
  });

  async function reopened(): Promise<LmdbStore> {
    await store.close();
    store = new LmdbStore(dir.path);
    return store;
  }

  it('stores the variant under its own key and a marker listing it under the URL key', async () => {
    store.putVariant(URL_KEY, variant('a'), Buffer.from('A'), 4);
    const s = await reopened();
    const marker = s.get(URL_KEY);
    expect(marker !== undefined && isVariantMarker(marker.meta)).toBe(true);
    expect(marker?.meta.variants).toEqual(['a']);
    expect(s.get(variantKey(URL_KEY, 'a'))?.body.toString()).toBe('A');
  });

  it('keeps at most the bound, removing the least recently stored variant', async () => {
    for (const id of ['a', 'b', 'c']) store.putVariant(URL_KEY, variant(id), Buffer.from(id), 2);
    expect(store.get(URL_KEY)?.meta.variants).toEqual(['b', 'c']);
    expect(store.get(variantKey(URL_KEY, 'a'))).toBeUndefined();
    const s = await reopened();
    expect(s.get(variantKey(URL_KEY, 'a'))).toBeUndefined();
    expect(s.get(variantKey(URL_KEY, 'c'))?.body.toString()).toBe('c');
  });

  it('drops the marker and its variants when a response without variants is stored under the URL key', async () => {
    store.putVariant(URL_KEY, variant('a'), Buffer.from('A'), 4);
    store.put(URL_KEY, { ...variant('a'), varyOn: undefined, variantId: undefined }, Buffer.from('plain'));
    expect(store.get(variantKey(URL_KEY, 'a'))).toBeUndefined();
    const s = await reopened();
    expect(s.get(URL_KEY)?.meta.variants).toBeUndefined();
    expect(s.get(URL_KEY)?.body.toString()).toBe('plain');
    expect(s.get(variantKey(URL_KEY, 'a'))).toBeUndefined();
  });

  it('deletes every variant and the marker through the URL index', async () => {
    for (const id of ['a', 'b']) store.putVariant(URL_KEY, variant(id), Buffer.from(id), 4);
    expect(await store.deleteIndexed('url', '/a', () => 'delete')).toBe(3);
    expect([store.get(URL_KEY), store.get(variantKey(URL_KEY, 'a')), store.get(variantKey(URL_KEY, 'b'))]).toEqual([undefined, undefined, undefined]);
  });
});
