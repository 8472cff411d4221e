import { describe, expect, it } from 'vitest';
import type { EntryMeta } from './cache-entry.js';
import { entryBytes, initialMapSize } from './store-bound.js';

const meta = (tags: string[], urlPath = '/a') => ({ tags, urlPath }) as EntryMeta;

describe('entryBytes (#13)', () => {
  it.each([
    ['counts the head byte for byte', 'k', 100, 50, meta([]), 'k', 200, 50, meta([]), 100],
    ['counts the body byte for byte', 'k', 100, 50, meta([]), 'k', 100, 150, meta([]), 100],
    ['counts each tag index value', 'k', 100, 50, meta(['t1']), 'k', 100, 50, meta([]), 'k'.length + 't\u0000t1'.length + 16],
    ['counts the key in UTF-8 bytes, once per record', 'é', 100, 50, meta([]), 'e', 100, 50, meta([]), 4],
    ['counts no body record for an empty body (none is written)', 'k', 100, 0, meta([]), 'k', 100, 1, meta([]), 'k'.length + 1 + 16],
  ])('%s', (_name, keyA, headA, bodyA, metaA, keyB, headB, bodyB, metaB, difference) => {
    expect(Math.abs(entryBytes(keyA, headA, bodyA, metaA) - entryBytes(keyB, headB, bodyB, metaB))).toBe(difference);
  });

  it('is never less than the key, head and body themselves', () => {
    expect(entryBytes('/some/key', 100, 1024, meta(['a', 'b']))).toBeGreaterThan('/some/key'.length + 100 + 1024);
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
