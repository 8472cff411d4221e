import { describe, expect, it } from 'vitest';
import { keyedTarget } from './upstream-target.js';

describe('keyedTarget', () => {
  it.each([
    ['/p', '', ['a'], '/p'],
    ['/p', 'a=1&utm=x&b=2', ['a', 'b'], '/p?a=1&b=2'],
    ['/p', 'utm=x', ['a'], '/p'],
    ['/p', 'a=2&a=1', ['a'], '/p?a=2&a=1'],
    ['/p', 'a=1&utm=x', 'ALL', '/p?a=1&utm=x'],
    ['/p', 'a=1', [], '/p'],
    ['/p', 'a&b=', ['a'], '/p?a'],
  ] as const)('%s?%s keeping %j → %s', (path, query, include, expected) => {
    expect(keyedTarget(path, query, include as string[] | 'ALL')).toBe(expected);
  });
});
