import { describe, expect, it } from 'vitest';
import { CONDITIONS_WEIGHT, literalCount, specificity } from './specificity.js';

describe('literalCount', () => {
  it.each([
    ['^/products/shoes$', 15],
    ['^/products/.*$', 10],
    ['^/colou?r$', 6],
    ['^/a\\.b$', 4],
    ['^/\\d+/x$', 3],
    ['^/[pP]roducts$', 8],
    ['^/(a|b)/c$', 3],
    ['^/x{2,3}$', 1],
    ['^/(products)/x$', 3],
  ])('counts %s as %i literal characters', (pattern, count) => {
    expect(literalCount(pattern)).toBe(count);
  });
});

describe('specificity', () => {
  it('adds a fixed weight for conditions', () => {
    expect(specificity('^/a$', true) - specificity('^/a$', false)).toBe(CONDITIONS_WEIGHT);
  });
});
