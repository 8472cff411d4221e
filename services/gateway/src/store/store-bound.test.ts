import { describe, expect, it } from 'vitest';
import type { EntryMeta } from './cache-entry.js';
import { entryBytes, initialMapSize } from './store-bound.js';

const meta = (tags: string[], urlPath = '/a') => ({ tags, urlPath }) as EntryMeta;

describe('entryBytes (#13)', () => {
  it.each([
    ['counts the value byte for byte', 'k', 100, meta([]), 'k', 200, meta([]), 100],
    ['counts each tag index value', 'k', 100, meta(['t1']), 'k', 100, meta([]), 'k'.length + 't\u0000t1'.length + 16],
    ['counts the key in UTF-8 bytes, once per record', 'é', 100, meta([]), 'e', 100, meta([]), 3],
  ])('%s', (_name, keyA, valueA, metaA, keyB, valueB, metaB, difference) => {
    expect(Math.abs(entryBytes(keyA, valueA, metaA) - entryBytes(keyB, valueB, metaB))).toBe(difference);
  });

  it('is never less than the key and value themselves', () => {
    expect(entryBytes('/some/key', 1024, meta(['a', 'b']))).toBeGreaterThan('/some/key'.length + 1024);
  });
});

describe('initialMapSize (#13)', () => {
  it.each([
    [1024 ** 3, 2 * 1024 ** 3 + 64 * 1024 ** 2],
    [1024, 2048 + 64 * 1024 ** 2],
    [Infinity, undefined],
  ])('opens the map for a bound of %d at %s bytes, past the bound', (maxBytes, mapSize) => {
    expect(initialMapSize(maxBytes)).toBe(mapSize);
  });
});
