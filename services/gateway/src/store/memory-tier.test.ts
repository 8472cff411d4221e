import { describe, expect, it } from 'vitest';
import type { CacheEntry, EntryMeta } from './cache-entry.js';
import { MemoryTier } from './memory-tier.js';

const entry = (bytes: number): CacheEntry => ({ meta: { url: '/x' } as EntryMeta, body: Buffer.alloc(bytes) });
const HEAD = 100;

describe('MemoryTier (#13)', () => {
  it('answers with the very entry it was given, hit after hit', () => {
    const tier = new MemoryTier(1024 * 1024);
    const held = entry(1000);
    tier.admit('a', held, HEAD);
    expect(tier.get('a')).toBe(held);
    expect(tier.get('a')).toBe(held);
    expect(tier.hits).toBe(2);
  });

  it('holds nothing when its bound is 0', () => {
    const tier = new MemoryTier(0);
    tier.admit('a', entry(1), HEAD);
    expect([tier.get('a'), tier.entries, tier.bytes]).toEqual([undefined, 0, 0]);
  });

  it('does not admit an entry larger than a sixty-fourth of its bound', () => {
    const tier = new MemoryTier(64 * 10_000);
    tier.admit('small', entry(5_000), HEAD);
    tier.admit('large', entry(20_000), HEAD);
    expect(tier.get('small')).toBeDefined();
    expect(tier.get('large')).toBeUndefined();
  });

  it('stays within its bound, keeping the entries hit over those never hit', () => {
    const tier = new MemoryTier(64 * 2_000);
    const hot = ['hot-0', 'hot-1'];
    for (const key of hot) tier.admit(key, entry(1_000), HEAD);
    for (let i = 0; i < 1_000; i++) {
      for (const key of hot) tier.get(key);
      tier.admit(`cold-${i}`, entry(1_000), HEAD);
      expect(tier.bytes).toBeLessThanOrEqual(tier.maxBytes);
    }
    expect(hot.every((key) => tier.get(key) !== undefined)).toBe(true);
    expect(tier.get('cold-0')).toBeUndefined();
    expect(tier.entries).toBeGreaterThan(50);
  });

  it('forgets a key at once, and tells which entry it holds', () => {
    const tier = new MemoryTier(1024 * 1024);
    const held = entry(10);
    tier.admit('a', held, HEAD);
    expect(tier.holds('a', held)).toBe(true);
    expect(tier.holds('a', entry(10))).toBe(false);
    tier.forget('a');
    expect([tier.get('a'), tier.holds('a', held), tier.bytes]).toEqual([undefined, false, 0]);
  });

  it('replaces the entry a key held when it is admitted again, counting its bytes once', () => {
    const tier = new MemoryTier(1024 * 1024);
    tier.admit('a', entry(1_000), HEAD);
    const bytes = tier.bytes;
    const newer = entry(1_000);
    tier.admit('a', newer, HEAD);
    expect([tier.get('a'), tier.bytes, tier.entries]).toEqual([newer, bytes, 1]);
  });
});
