import { describe, expect, it } from 'vitest';
import { parsePattern, PatternSyntaxError } from './pattern-syntax.js';

describe('parsePattern', () => {
  it.each([
    '^/products/.*$',
    '^/colou?r/(red|blue)$',
    '^/(?:a|b)+/x{2,3}$',
    '^/(?<section>news|blog)/\\d+$',
    '^/[a-z0-9_-]+/[^/]*$',
    '^/a\\.b\\/c\\-d$',
    '^/\\x41\\u0042\\t$',
    '^/files/[]]?[]x{]$',
    '^/.*?$',
    'x{,3}',
  ])('accepts %s', (pattern) => {
    expect(() => parsePattern(pattern)).not.toThrow();
  });

  it.each([
    ['^/(?=a)', 'lookahead is not supported'],
    ['^/(?!a)', 'lookahead is not supported'],
    ['(?<=a)b', 'lookbehind is not supported'],
    ['(?<!a)b', 'lookbehind is not supported'],
    ['^/(a)\\1$', 'backreferences are not supported'],
    ['^/(?<x>a)\\k<x>$', 'backreferences are not supported'],
    ['\\bword', 'word boundaries (\\b) are not supported'],
    ['^/(a', 'unterminated group'],
    ['^/a)', 'unmatched ")"'],
    ['^/[a-', 'unterminated character class'],
    ['^/[z-a]', 'range out of order'],
    ['^/[\\d-z]', 'a class escape cannot bound a range'],
    ['*a', 'nothing to repeat'],
    ['^*', 'nothing to repeat'],
    ['^/a**', 'nothing to repeat'],
    ['^/a{3,2}', 'numbers out of order'],
    ['^/a{101}', 'repetition counts above 100'],
    ['^/\\p{L}', 'unknown escape \\p'],
    ['^/\\x4', '\\x needs 2 hex digits'],
    ['(?i)abc', 'invalid group'],
    ['abc\\', '\\ at end of pattern'],
  ])('rejects %s: %s', (pattern, message) => {
    expect(() => parsePattern(pattern)).toThrow(PatternSyntaxError);
    expect(() => parsePattern(pattern)).toThrow(message);
  });

  it('names the position of the problem', () => {
    expect(() => parsePattern('^/ok/(?=x)')).toThrow('at position 5');
  });
});
