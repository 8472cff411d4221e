import { describe, expect, it } from 'vitest';
import { anchoredAt } from './pattern-anchors.js';
import { parsePattern } from './pattern-syntax.js';

describe('anchoredAt', () => {
  it.each([
    // pattern, anchored at start, anchored at end
    ['^/a$', true, true],
    ['^/a', true, false],
    ['/a$', false, true],
    ['^/a$|^/b$', true, true],
    ['^/a$|/b', false, false],
    ['^(/a$)', true, true],
    ['(^/a)?/b', false, false],
    ['(?:^/a)+', true, false],
  ])('%s: start %s, end %s', (pattern, start, end) => {
    const node = parsePattern(pattern);
    expect([anchoredAt('start', node), anchoredAt('end', node)]).toEqual([start, end]);
  });
});
