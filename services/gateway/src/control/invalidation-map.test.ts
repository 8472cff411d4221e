import type { InvalidationEvent } from '@cairn/shared';
import { describe, expect, it } from 'vitest';
import { InvalidationMap, type InvalidationSubject } from './invalidation-map.js';

const event = (kind: InvalidationEvent['kind'], cache: InvalidationEvent['cache'], key?: string): InvalidationEvent => ({
  id: 'e',
  kind,
  cache,
  ...(key === undefined ? {} : { key }),
  mode: 'hard',
  issuedAt: new Date(0).toISOString(),
  source: 'nats',
});
const entry = (partial: Partial<InvalidationSubject> = {}): InvalidationSubject => ({ cache: 'page', groupCode: undefined, tags: [], ...partial });

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
    expect(map.latestFor(entry({ tags: ['t'] }))).toBe(8);
  });

  it('forgets everything when cleared', () => {
    const map = new InvalidationMap();
    map.apply(event('scope', 'all'), 5);
    map.clear();
    expect(map.isInvalidated(entry(), 1)).toBe(false);
  });
});
