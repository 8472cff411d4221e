import { describe, expect, it } from 'vitest';
import { InvalidSubjectTokenError } from '../errors.js';
import { decodeSubjectToken, encodeSubjectToken } from './subject-token.js';
import { parseInvalidationSubject, ruleIdFromSubject, subjects } from './subjects.js';

describe('subject tokens', () => {
  it.each(['tag:1', 'a.b', 'has space', '*', '>', 'ünïcode', '/products/shoes?x=1'])('round-trips %j through one safe token', (value) => {
    const token = encodeSubjectToken(value);
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeSubjectToken(token)).toBe(value);
  });

  it('refuses an empty key', () => {
    expect(() => encodeSubjectToken('')).toThrow(InvalidSubjectTokenError);
  });
});

describe('subjects', () => {
  it('builds a rule subject and reads the id back', () => {
    expect(subjects.rule('home-page')).toBe('cache.rules.home-page');
    expect(ruleIdFromSubject(subjects.rule('home-page'))).toBe('home-page');
  });

  it.each(['a.b', 'a*', 'a>', 'a b', ''])('rejects the raw rule id %j', (id) => {
    expect(() => subjects.rule(id)).toThrow(InvalidSubjectTokenError);
  });

  it('keeps kinds in separate namespaces and round-trips their keys', () => {
    const group = subjects.invalidation('group', 'all', 'page');
    const scope = subjects.invalidation('scope', 'page', undefined);
    expect(group).not.toBe(scope);
    expect(parseInvalidationSubject(group)).toEqual({ kind: 'group', cache: 'all', key: 'page' });
    expect(parseInvalidationSubject(scope)).toEqual({ kind: 'scope', cache: 'page', key: undefined });
  });

  it('keeps every invalidation subject inside the stream filter', () => {
    const prefix = subjects.allInvalidations.slice(0, -1);
    expect(subjects.invalidation('tag', 'all', 'a.b c').startsWith(prefix)).toBe(true);
    expect(subjects.invalidation('tag', 'all', 'a.b c').split('.')).toHaveLength(5);
  });
});

describe('soft invalidation subjects', () => {
  it('keeps a soft purge on another subject than a hard one of the same target', () => {
    expect(subjects.invalidation('scope', 'page', undefined, 'soft')).not.toBe(subjects.invalidation('scope', 'page', undefined, 'hard'));
    expect(subjects.invalidation('scope', 'page', undefined)).toBe(subjects.invalidation('scope', 'page', undefined, 'hard'));
  });
});
