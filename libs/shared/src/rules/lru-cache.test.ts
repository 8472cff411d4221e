import { describe, expect, it } from 'vitest';
import { seededRandom } from '@cairn/testing';
import { LruCache } from './lru-cache.js';

describe('LruCache', () => {
  it('evicts the least recently used key when full', () => {
    const cache = new LruCache<string, number>(2);
    cache.set('a', 1);
    cache.set('b', 2);
    cache.get('a');
    cache.set('c', 3);
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual([1, undefined, 3]);
  });

  it('never holds more than its limit', () => {
    const cache = new LruCache<number, number>(3);
    for (let i = 0; i < 10; i++) cache.set(i, i);
    expect(cache.size).toBe(3);
  });
});

describe('LruCache against a reference model', () => {
  it('evicts exactly what a list-based LRU evicts, for random gets, sets and clears', () => {
    const random = seededRandom(99);
    for (const limit of [1, 2, 3, 8]) {
      const cache = new LruCache<number, number>(limit);
      let model: Array<[number, number]> = [];
      for (let op = 0; op < 2000; op++) {
        const key = random.int(limit * 2 + 1);
        if (random.int(50) === 0) {
          model = [];
          cache.clear();
        } else if (random.int(2) === 0) {
          const found = model.find(([k]) => k === key);
          if (found) model = [...model.filter(([k]) => k !== key), found];
          expect(cache.get(key), `limit ${limit} op ${op}`).toBe(found?.[1]);
        } else {
          model = [...model.filter(([k]) => k !== key), [key, op]];
          if (model.length > limit) model.shift();
          cache.set(key, op);
        }
        expect(cache.size).toBe(model.length);
      }
    }
  });
});
