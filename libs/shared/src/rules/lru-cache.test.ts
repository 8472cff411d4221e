import { describe, expect, it } from 'vitest';
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
