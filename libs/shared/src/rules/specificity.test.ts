import { describe, expect, it } from 'vitest';
import { parsePattern } from './pattern-syntax.js';
import { fixedCharacters } from './specificity.js';

describe('fixedCharacters', () => {
  it.each([
    ['^/products/shoes$', 15],
    ['^/products/.*$', 10],
    ['^/products/.+$', 10],
    ['^/[pP]roducts$', 9],
    ['^/products$', 9],
    ['^/colou?r$', 6],
    ['^/a\\.b$', 4],
    ['^/\\d{1,3}/[a-z]+$', 2],
    ['^/(news|blog)/x$', 7],
    ['^/x{3}$', 4],
    ['^/(?:ab)+$', 3],
    ['^/.*$', 1],
  ])('%s fixes %i characters', (pattern, count) => {
    expect(fixedCharacters(parsePattern(pattern))).toBe(count);
  });
});
