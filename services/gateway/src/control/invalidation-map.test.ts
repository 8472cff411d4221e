import type { InvalidationEvent } from '@cairn/shared';
import { describe, expect, it } from 'vitest';
import { InvalidationMap, Verdict, type InvalidationSubject } from './invalidation-map.js';

const event = (kind: InvalidationEvent['kind'], cache: InvalidationEvent['cache'], key?: string, mode: InvalidationEvent['mode'] = 'hard'): InvalidationEvent => ({
  id: 'e',
  kind,
  cache,
  ...(key === undefined ? {} : { key }),
  mode,
  issuedAt: new Date(0).toISOString(),
  source: 'nats',
});
const entry = (partial: Partial<InvalidationSubject> = {}): InvalidationSubject => ({ cache: 'page', groupCode: undefined, tags: [], url: '/x', ...partial });

describe('InvalidationMap', () => {
  it('invalidates an entry filled before a matching event and keeps one filled after it', () => {
    const map = new InvalidationMap();
    map.apply(event('scope', 'page'), 10);
    expect(map.isInvalidated(entry(), 9)).toBe(true);
    expect(map.isInvalidated(entry(), 10)).toBe(false);
    expect(map.isInvalidated(entry(), 11)).toBe(false);
  });

  it.each([
    // event, entry, invalidated
    [event('scope', 'all'), entry({ cache: 'api' }), true],
    [event('scope', 'api'), entry({ cache: 'page' }), false],
    [event('group', 'page', 'shoes'), entry({ groupCode: 'shoes' }), true],
    [event('group', 'page', 'shoes'), entry({ cache: 'api', groupCode: 'shoes' }), false],
    [event('group', 'all', 'shoes'), entry({ cache: 'api', groupCode: 'shoes' }), true],
    [event('group', 'all', 'page'), entry({ cache: 'page' }), false],
    [event('group', 'page', 'shoes'), entry({ groupCode: 'hats' }), false],
    [event('tag', 'all', 'tag:1'), entry({ tags: ['tag:10'] }), false],
    [event('tag', 'all', 'tag:1'), entry({ tags: ['news', 'tag:1'] }), true],
  ])('applies %j to %j: %s', (e, subject, invalidated) => {
    const map = new InvalidationMap();
    map.apply(e, 5);
    expect(map.isInvalidated(subject, 4)).toBe(invalidated);
  });

  it('keeps the highest sequence per target whatever the order applied', () => {
    const map = new InvalidationMap();
    map.apply(event('tag', 'all', 't'), 8);
    map.apply(event('tag', 'all', 't'), 3);
    expect(map.isInvalidated(entry({ tags: ['t'] }), 7)).toBe(true);
    expect(map.isInvalidated(entry({ tags: ['t'] }), 8)).toBe(false);
  });

  it('forgets everything when cleared', () => {
    const map = new InvalidationMap();
    map.apply(event('scope', 'all'), 5);
    map.clear();
    expect(map.isInvalidated(entry(), 1)).toBe(false);
  });

  it.each([
    // event key, entry url, invalidated
    ['/products/1', '/Products/1', true],
    ['/products/1', '/products/1?color=red&size=m', true],
    ['/products/1?color=red&size=m', '/products/1?size=m&color=red', true],
    ['/products/1?color=red', '/products/1?color=blue', false],
    ['/products/1?color=red', '/products/1', false],
    ['/products/1', '/products/10', false],
  ])('a url invalidation of %s applies to an entry filled for %s: %s', (key, url, invalidated) => {
    const map = new InvalidationMap();
    map.apply(event('url', 'all', key), 5);
    expect(map.isInvalidated(entry({ url }), 4)).toBe(invalidated);
    expect(map.isInvalidated(entry({ url, cache: 'api' }), 4)).toBe(invalidated);
  });

  it('tells a soft purge from a hard one, and lets the hard one win', () => {
    const map = new InvalidationMap();
    map.apply(event('tag', 'all', 'news', 'soft'), 5);
    expect(map.verdict(entry({ tags: ['news'] }), 4)).toBe(Verdict.Soft);
    expect(map.verdict(entry({ tags: ['news'] }), 5)).toBe(Verdict.Valid);
    map.apply(event('scope', 'page'), 3);
    expect(map.verdict(entry({ tags: ['news'] }), 2)).toBe(Verdict.Hard);
  });

  it('keeps an earlier hard purge when a later soft purge hits the same target', () => {
    const map = new InvalidationMap();
    map.apply(event('scope', 'page'), 5);
    map.apply(event('scope', 'page', undefined, 'soft'), 9);
    expect(map.verdict(entry(), 4)).toBe(Verdict.Hard);
    expect(map.verdict(entry(), 6)).toBe(Verdict.Soft);
  });
});
