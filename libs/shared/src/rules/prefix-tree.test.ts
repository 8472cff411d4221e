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
});
