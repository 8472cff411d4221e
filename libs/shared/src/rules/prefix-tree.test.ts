import { describe, expect, it } from 'vitest';
import { PrefixTree } from './prefix-tree.js';

const collect = (tree: PrefixTree<string>, path: string) => {
  const out: string[][] = [];
  tree.collect(path, out);
  return out.flat();
};

describe('PrefixTree', () => {
  it('returns the buckets of every prefix that starts the path, shortest first', () => {
    const tree = new PrefixTree<string>();
    for (const prefix of ['', '/', '/api/', '/api', '/apiary', '/b']) tree.add(prefix, prefix);
    expect(collect(tree, '/api/v1')).toEqual(['', '/', '/api', '/api/']);
    expect(collect(tree, '/apiary/x')).toEqual(['', '/', '/api', '/apiary']);
    expect(collect(tree, '/ap')).toEqual(['', '/']);
    expect(collect(tree, 'x')).toEqual(['']);
  });

  it('keeps prefixes added in any order, splitting shared edges', () => {
    const tree = new PrefixTree<string>();
    for (const prefix of ['/section-12/', '/section-1/', '/section-123/', '/sec']) tree.add(prefix, prefix);
    expect(collect(tree, '/section-123/a')).toEqual(['/sec', '/section-123/']);
    expect(collect(tree, '/section-1/a')).toEqual(['/sec', '/section-1/']);
  });

  it('keeps every value added under one prefix', () => {
    const tree = new PrefixTree<string>();
    tree.add('/a', 'first');
    tree.add('/a', 'second');
    expect(collect(tree, '/a')).toEqual(['first', 'second']);
  });

  it('inserts in comparator order and removes one value without touching the others (#9)', () => {
    const tree = new PrefixTree<number>();
    const byValue = (a: number, b: number) => a - b;
    for (const n of [5, 1, 3, 3, 9]) tree.add('/a', n, byValue);
    const numbers = (path: string) => {
      const out: number[][] = [];
      tree.collect(path, out);
      return out.flat();
    };
    expect(numbers('/a')).toEqual([1, 3, 3, 5, 9]);
    expect(tree.remove('/a', 3)).toBe(true);
    expect(tree.remove('/b', 1)).toBe(false);
    expect(tree.remove('/', 1)).toBe(false);
    expect(numbers('/a/x')).toEqual([1, 3, 5, 9]);
  });
});
