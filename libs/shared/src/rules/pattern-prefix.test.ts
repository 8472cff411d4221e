import { describe, expect, it } from 'vitest';
import { literalPrefixes } from './pattern-prefix.js';
import { parsePattern } from './pattern-syntax.js';

const prefixes = (pattern: string) => literalPrefixes(parsePattern(pattern));

describe('literalPrefixes', () => {
  it.each([
    ['^/products/.*$', ['/products/']],
    ['^/products/shoes$', ['/products/shoes']],
    ['^/Products/', ['/products/']],
    ['^/[pP]roducts/x', ['/products/x']],
    ['^/colou?r/red$', ['/color/red', '/colour/red']],
    ['^/a/b|^/c/d', ['/a/b', '/c/d']],
    ['^/(?:news|blog)/\\d+$', ['/news/', '/blog/']],
    ['^/api(/.*)?$', ['/api']],
    ['^/x+y', ['/x']],
    ['^/(ab){2}c', ['/ababc']],
    ['^/a*b', ['/']],
    ['^/\\d+/x', ['/']],
    ['^.*/x$', ['']],
    ['^/a\\.b', ['/a.b']],
  ])('%s starts with one of %j', (pattern, expected) => {
    expect([...(prefixes(pattern) ?? [])].sort()).toEqual([...expected].sort());
  });

  it.each(['/products/.*', '^/a|/b', 'x$', '(^/a)?/b'])('%s may match anywhere', (pattern) => {
    expect(prefixes(pattern)).toBeUndefined();
  });

  it('collapses too many alternatives to their common prefix', () => {
    const branches = Array.from({ length: 20 }, (_, i) => `x${i}`).join('|');
    expect(prefixes(`^/s/(?:${branches})$`)).toEqual(['/s/x']);
  });
});
