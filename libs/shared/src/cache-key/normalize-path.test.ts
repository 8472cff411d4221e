import { describe, expect, it } from 'vitest';
import { canonicalPath, normalizePath } from './normalize-path.js';

describe('normalizePath', () => {
  it.each([
    ['/', '/'],
    ['', '/'],
    ['/Products/Shoes', '/products/shoes'],
    ['/a/b/', '/a/b'],
    ['/a/b///', '/a/b'],
    ['/a/./b', '/a/b'],
    ['/a/b/../c', '/a/c'],
    ['/../../a', '/a'],
    ['/a/b/..', '/a'],
    ['/a?x=1', '/a'],
    ['/a/?x=1#f', '/a'],
    ['/a#frag', '/a'],
    ['/%7Euser/%41bc', '/~user/abc'],
    ['/a%2Fb', '/a%2Fb'],
    ['/caf%c3%a9/%C3%A9', '/caf%C3%A9/%C3%A9'],
    ['/%2e%2e/a', '/a'],
  ])('normalizes %j to %j', (target, path) => {
    expect(normalizePath(target)).toBe(path);
  });

  it.each([
    ['/', '/'],
    ['/dir/', '/dir/'],
    ['/Dir//', '/dir/'],
    ['/a/b/..', '/a/'],
    ['/a/./', '/a/'],
    ['/a?x=1', '/a'],
    ['/a/?x=1', '/a/'],
  ])('keeps one trailing slash for the key and the fill: %j is %j (#9)', (target, path) => {
    expect(canonicalPath(target)).toBe(path);
  });
});
