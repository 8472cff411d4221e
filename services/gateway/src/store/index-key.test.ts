import { describe, expect, it } from 'vitest';
import { indexKey } from './index-key.js';

describe('index keys', () => {
  it.each([
    ['a short tag is kept verbatim', 'tag', 'news', 't\u0000news'],
    ['a short path is kept verbatim', 'url', '/a/b', 'u\u0000/a/b'],
  ] as const)('%s', (_name, kind, value, expected) => {
    expect(indexKey(kind, value)).toBe(expected);
  });

  it('hashes a value over 1,000 UTF-8 bytes even when it has fewer characters (#9)', () => {
    const value = 'é'.repeat(600);
    const key = indexKey('tag', value);
    expect(key.slice(0, 2)).toBe('t\u0001');
    expect(key.slice(2)).toMatch(/^[0-9a-f]{32}$/);
  });

  it('keeps hashed keys apart from a verbatim value that spells a digest (#9)', () => {
    const long = 'x'.repeat(2000);
    const hashed = indexKey('tag', long);
    const digest = hashed.slice(2);
    expect(indexKey('tag', `#${digest}`)).not.toBe(hashed);
    expect(indexKey('tag', digest)).not.toBe(hashed);
  });

  it('gives tags and paths separate namespaces', () => {
    expect(indexKey('tag', '/a')).not.toBe(indexKey('url', '/a'));
  });
});
