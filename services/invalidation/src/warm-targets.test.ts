import { createLogger } from '@cairn/shared';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SITEMAP_READ } from './sitemap-reader.js';
import { warmPathOf, warmTargetsOf } from './warm-targets.js';

const logger = createLogger('invalidation', 'silent');

describe('warmPathOf', () => {
  it("reduces an absolute URL to its path and query, as a gateway routes it", () => {
    expect(warmPathOf('https://www.example.com/a/b?x=1&y=2')).toBe('/a/b?x=1&y=2');
    expect(warmPathOf('http://example.com')).toBe('/');
  });

  it('keeps a path as given, without its fragment', () => {
    expect(warmPathOf('/Products/./1?b=2&a=1')).toBe('/Products/./1?b=2&a=1');
    expect(warmPathOf('/a?x=1#section')).toBe('/a?x=1');
  });
});

describe('warmTargetsOf', () => {
  it('keeps one target per path, the first as given', async () => {
    const { targets } = await warmTargetsOf({ urls: ['/a', 'https://example.com/a', '/b', '/a#x'] }, DEFAULT_SITEMAP_READ, logger);
    expect(targets).toEqual([
      { url: '/a', path: '/a' },
      { url: '/b', path: '/b' },
    ]);
  });
});
