import { describe, expect, it } from 'vitest';
import type { Rule } from '../contracts/rule.js';
import { RuleIndex } from './rule-index.js';
import type { MatchRequest } from './rule-matcher.js';

const plain: MatchRequest = { headers: {}, query: '' };
const rule = (id: string, pathPatterns: string[], extra: Partial<Rule> = {}): Rule => ({ id, description: '', pathPatterns, ttl: '1h', ...extra });

describe('RuleIndex', () => {
  it('matches nothing when there are no rules', () => {
    expect(new RuleIndex([]).match('/a', plain)).toBeUndefined();
  });

  it('prefers the more specific of two matching rules', () => {
    const index = new RuleIndex([rule('broad', ['^/products/.*$']), rule('exact', ['^/products/shoes$'])]);
    expect(index.match('/products/shoes', plain)?.rule.id).toBe('exact');
    expect(index.match('/products/hats', plain)?.rule.id).toBe('broad');
  });

  it('compiles patterns case-insensitively', () => {
    const index = new RuleIndex([rule('upper', ['^/Products/.*$'])]);
    expect(index.match('/products/1', plain)?.rule.id).toBe('upper');
  });

  it('reports the pattern that matched and the parsed TTL', () => {
    const match = new RuleIndex([rule('two', ['^/a$', '^/b$'], { ttl: '30s' })]).match('/b', plain);
    expect(match?.pattern).toBe('^/b$');
    expect(match?.ttl).toEqual({ kind: 'duration', seconds: 30 });
  });

  it('ranks a rule with conditions above an equal rule without', () => {
    const index = new RuleIndex([
      rule('plain', ['^/home$']),
      rule('mobile', ['^/home$'], {
        additionalMatchCriteria: [{ additionalMatchType: 'header', additionalMatchOperator: 'equals', additionalMatchKey: 'x-device', additionalMatchValue: 'mobile' }],
      }),
    ]);
    expect(index.match('/home', { headers: { 'x-device': 'mobile' }, query: '' })?.rule.id).toBe('mobile');
    expect(index.match('/home', plain)?.rule.id).toBe('plain');
  });

  it('breaks ties between equally specific rules by rule id', () => {
    const index = new RuleIndex([rule('b', ['^/x/.*$']), rule('a', ['^/x/.+$'])]);
    expect(index.match('/x/1', plain)?.rule.id).toBe('a');
  });

  it('never lets a memoized answer shadow a conditional rule on a later request', () => {
    const index = new RuleIndex([
      rule('plain', ['^/page$']),
      rule('beta', ['^/page$'], {
        additionalMatchCriteria: [{ additionalMatchType: 'query', additionalMatchOperator: 'exists', additionalMatchKey: 'beta' }],
      }),
    ]);
    expect(index.match('/page', plain)?.rule.id).toBe('plain');
    expect(index.match('/page', { headers: {}, query: 'beta=1' })?.rule.id).toBe('beta');
    expect(index.match('/page', plain)?.rule.id).toBe('plain');
  });

  it('returns a no_cache rule so it can carve an exception out of a broader one', () => {
    const index = new RuleIndex([rule('all', ['^/.*$']), rule('private', ['^/account/.*$'], { ttl: 'no_cache' })]);
    expect(index.match('/account/me', plain)?.ttl).toEqual({ kind: 'no_cache' });
    expect(index.match('/other', plain)?.rule.id).toBe('all');
  });
});
