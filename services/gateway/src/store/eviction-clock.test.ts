import { describe, expect, it } from 'vitest';
import { EvictionClock } from './eviction-clock.js';

function clockOf(entries: Array<[string, number]>): EvictionClock {
  const clock = new EvictionClock();
  for (const [key, bytes] of entries) clock.set(key, bytes);
  return clock;
}

describe('EvictionClock (#13)', () => {
  it('counts the bytes of the entries it holds, a rewrite replacing the old size', () => {
    const clock = clockOf([['a', 10], ['b', 20]]);
    clock.set('a', 5);
    expect([clock.bytes, clock.size]).toEqual([25, 2]);
    expect(clock.delete('b')).toBe(20);
    expect(clock.delete('b')).toBeUndefined();
    expect(clock.bytes).toBe(5);
  });

  it('evicts nothing while under the bound', () => {
    expect(clockOf([['a', 10]]).evict(10)).toEqual([]);
  });

  it.each([
    ['the oldest unreferenced entry goes first', [], 25, ['a']],
    ['a hit entry gets a second chance', ['a'], 25, ['b']],
    ['every entry hit: the hand clears them and then evicts the oldest', ['a', 'b', 'c'], 25, ['a']],
    ['evicts as many as it takes', ['c'], 10, ['a', 'b']],
  ])('%s', (_name, hits: string[], maxBytes: number, victims: string[]) => {
    const clock = clockOf([['a', 10], ['b', 10], ['c', 10]]);
    for (const key of hits) clock.touch(key);
    expect(clock.evict(maxBytes)).toEqual(victims);
    expect(clock.bytes).toBeLessThanOrEqual(maxBytes);
  });

  it('never evicts the entries being written, and stops when only they are left', () => {
    const clock = clockOf([['a', 10], ['b', 10]]);
    expect(clock.evict(5, ['b'])).toEqual(['a']);
    expect(clock.evict(5, ['b'])).toEqual([]);
    expect(clock.has('b')).toBe(true);
  });

  it('ignores hits on keys it does not hold', () => {
    const clock = clockOf([['a', 10]]);
    clock.touch('zzz');
    expect(clock.size).toBe(1);
  });

  it('keeps recently hit entries over cold ones while many more than fit are written', () => {
    const clock = new EvictionClock();
    const hot = ['hot-0', 'hot-1', 'hot-2'];
    for (const key of hot) clock.set(key, 100);
    for (let i = 0; i < 1000; i++) {
      for (const key of hot) clock.touch(key);
      clock.set(`cold-${i}`, 100);
      clock.evict(1000, [`cold-${i}`]);
      expect(clock.bytes).toBeLessThanOrEqual(1000);
    }
    expect(hot.every((key) => clock.has(key))).toBe(true);
  });

  it('hands out one victim at a time, skipping what the caller keeps, and none once only kept ones are left', () => {
    const clock = clockOf([['a', 10], ['b', 10], ['c', 10]]);
    const keep = (key: string) => key === 'a';
    expect([clock.evictOne(keep), clock.evictOne(keep), clock.evictOne(keep)]).toEqual(['b', 'c', undefined]);
    expect([clock.has('a'), clock.bytes]).toEqual([true, 10]);
  });

  it('joins a key it does not hold behind the others, and leaves one it holds as it is', () => {
    const clock = new EvictionClock<string>();
    clock.set('a', 10, 'first');
    clock.join('a', 99, 'other');
    clock.join('b', 5, 'second');
    expect([clock.get('a'), clock.get('b'), clock.bytes]).toEqual(['first', 'second', 15]);
  });
});
