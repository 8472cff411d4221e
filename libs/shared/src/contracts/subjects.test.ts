import { describe, expect, it } from 'vitest';
import { InvalidSubjectTokenError } from '../errors.js';
import { decodeSubjectToken, encodeSubjectToken, isHashedToken, MAX_SUBJECT_TOKEN_LENGTH } from './subject-token.js';
import { isAllowedReplySubject, parseInvalidationSubject, ruleIdFromSubject, subjects } from './subjects.js';

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
    expect(parseInvalidationSubject(group)).toMatchObject({ kind: 'group', cache: 'all', key: 'page' });
    expect(parseInvalidationSubject(scope)).toMatchObject({ kind: 'scope', cache: 'page', key: undefined });
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

  it('keeps a refresh on another subject than a soft or hard purge of the same target', () => {
    const refresh = subjects.invalidation('tag', 'all', 'news', 'refresh');
    expect(refresh).toBe('cache.invalidations.tag-refresh.all.bmV3cw');
    expect(refresh).not.toBe(subjects.invalidation('tag', 'all', 'news', 'soft'));
    expect(subjects.invalidationFilter({ kind: 'tag', mode: 'refresh' })).toBe('cache.invalidations.tag-refresh.*.*');
  });
});

describe('bounded subject tokens (#9)', () => {
  const long = `/p?q=${'é'.repeat(4000)}`;

  it.each([1, 100, 192])('encodes a key of %i bytes verbatim', (bytes) => {
    const token = encodeSubjectToken('k'.repeat(bytes));
    expect(isHashedToken(token)).toBe(false);
    expect(decodeSubjectToken(token)).toBe('k'.repeat(bytes));
  });

  it.each([193, 3000, 8192])('hashes a key of %i bytes into one fixed-size token', (bytes) => {
    const token = encodeSubjectToken('k'.repeat(bytes));
    expect(token).toMatch(/^#[A-Za-z0-9_-]{43}$/);
    expect(decodeSubjectToken(token)).toBeUndefined();
  });

  it('gives a long key the same subject every time and another long key another one', () => {
    expect(subjects.invalidation('url', 'all', long)).toBe(subjects.invalidation('url', 'all', long));
    expect(subjects.invalidation('url', 'all', long)).not.toBe(subjects.invalidation('url', 'all', `${long}x`));
  });

  it('keeps every invalidation subject far below the 4,096-byte control line', () => {
    const subject = subjects.invalidation('group', 'page', long, 'soft');
    expect(Buffer.byteLength(subject)).toBeLessThan(MAX_SUBJECT_TOKEN_LENGTH + 64);
    expect(parseInvalidationSubject(subject)).toMatchObject({ kind: 'group-soft', cache: 'page', key: undefined });
  });

  it('never lets a short key produce the token of a hashed one', () => {
    // A verbatim token is base64url, whose alphabet has no `#`.
    for (const key of ['#', '##abc', '\u00ff\u00fe', 'a'.repeat(192)]) expect(isHashedToken(encodeSubjectToken(key))).toBe(false);
  });

  it('refuses a raw token longer than the bound', () => {
    expect(() => subjects.rule('r'.repeat(MAX_SUBJECT_TOKEN_LENGTH + 1))).toThrow(InvalidSubjectTokenError);
  });

  it('builds filters that match the subjects they name', () => {
    expect(subjects.invalidationFilter({})).toBe('cache.invalidations.*.*.*');
    expect(subjects.invalidationFilter({ kind: 'tag', mode: 'soft', cache: 'all' })).toBe('cache.invalidations.tag-soft.all.*');
    expect(subjects.invalidationFilter({ kind: 'url', cache: 'all', key: long })).toBe(subjects.invalidation('url', 'all', long));
  });
});

describe('reply subjects (#9)', () => {
  it.each(['_INBOX.abc', '_INBOX.abc.1', 'cache.replies.ops.1'])('accepts %j', (subject) => {
    expect(isAllowedReplySubject(subject)).toBe(true);
  });

  it.each([
    'cache.invalidations.scope.all._',
    'cache.invalidate',
    'cache.rules.r1',
    'cache.replies',
    'cache.replies.',
    '_INBOX.',
    '_INBOX.*',
    '_INBOX.>',
    '_INBOX.a..b',
    '_INBOX.a b',
    'other.subject',
    `_INBOX.${'a'.repeat(300)}`,
  ])('refuses %j', (subject) => {
    expect(isAllowedReplySubject(subject)).toBe(false);
  });
});
