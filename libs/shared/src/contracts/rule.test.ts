import { describe, expect, it } from 'vitest';
import { describeFirstIssue } from '../config/describe-issues.js';
import { decodeMessage, encodeMessage } from './message-codec.js';
import { ruleEventSchema } from './rule-event.js';
import { PathPattern } from '../rules/path-pattern.js';
import { MAX_RULE_AUTOMATON_SIZE, ruleIdSchema, ruleInputSchema, ruleSchema } from './rule.js';

const valid = { pathPatterns: ['^/products/.*$'], ttl: '1h' };

describe('ruleInputSchema', () => {
  it('accepts a minimal rule and defaults the description', () => {
    expect(ruleInputSchema.parse(valid)).toEqual({ ...valid, description: '' });
  });

  it.each([
    [{ ...valid, pathPatterns: [] }, 'pathPatterns'],
    [{ ...valid, pathPatterns: ['^/ok$', '('] }, 'pathPatterns[1]'],
    [{ ...valid, ttl: '5q' }, 'ttl'],
    [{ pathPatterns: ['^/$'] }, 'ttl'],
    [{ ...valid, additionalMatchCriteria: [{ additionalMatchType: 'header', additionalMatchOperator: 'like', additionalMatchKey: 'x' }] }, 'additionalMatchCriteria[0].additionalMatchOperator'],
    [{ ...valid, additionalMatchCriteria: [{ additionalMatchType: 'header', additionalMatchOperator: 'exists' }] }, 'additionalMatchCriteria[0].additionalMatchKey'],
    [{ ...valid, additionalMatchCriteria: [{ additionalMatchOperator: 'exists', additionalMatchKey: 'x' }] }, 'additionalMatchCriteria[0].additionalMatchType'],
    [{ ...valid, additionalMatchCriteria: [{ additionalMatchType: 'query', additionalMatchOperator: 'equals', additionalMatchKey: 'x' }] }, 'additionalMatchCriteria[0].additionalMatchValue'],
    [{ ...valid, pathPatterns: Array.from({ length: 51 }, () => '^/$') }, 'pathPatterns'],
    [{ ...valid, pathPatterns: ['^/ok$', '^/(?<=x)y$'] }, 'pathPatterns[1]'],
    [{ ...valid, pathPatterns: ['^/ok$', `^/${'a'.repeat(1024)}$`] }, 'pathPatterns[1]'],
    [{ ...valid, pathPatterns: ['^/ok$', 'a.{0,990}b'] }, 'pathPatterns[1]'],
    [{ ...valid, pathPatterns: ['a.{0,99}b.{0,99}c.{0,99}d.{0,99}e.{0,99}f.{0,99}g'] }, 'pathPatterns[0]'],
    [{ ...valid, pathPatterns: Array.from({ length: 20 }, (_, i) => `a${i}.{0,99}b`) }, 'pathPatterns'],
    [{ ...valid, priority: 1.5 }, 'priority'],
    [{ ...valid, priority: 1001 }, 'priority'],
    [{ ...valid, staleWhileRevalidate: '10' }, 'staleWhileRevalidate'],
    [{ ...valid, staleIfError: 'never' }, 'staleIfError'],
    [{ ...valid, ttl: 'no_cache', staleIfError: '1m' }, 'staleIfError'],
  ])('rejects %j naming the field %s', (input, field) => {
    const result = ruleInputSchema.safeParse(input);
    expect(result.success).toBe(false);
    if (!result.success) expect(describeFirstIssue(result.error).field).toBe(field);
  });
});

describe('rule fields', () => {
  it('accepts priority and stale windows in the duration grammar', () => {
    const input = { ...valid, priority: -5, staleWhileRevalidate: '30s', staleIfError: '1d' };
    expect(ruleInputSchema.parse(input)).toEqual({ ...input, description: '' });
  });

  it('explains why a pattern needing backtracking is refused', () => {
    const result = ruleInputSchema.safeParse({ ...valid, pathPatterns: ['^/(a)\\1$'] });
    expect(result.success).toBe(false);
    if (!result.success) expect(describeFirstIssue(result.error).message).toMatch(/backreferences are not supported: patterns run on a linear-time engine/);
  });

  it.each(['export', 'import', 'test'])('refuses the id %s, which names an admin route', (id) => {
    expect(ruleIdSchema.safeParse(id).success).toBe(false);
  });
});

describe('rule events', () => {
  it.each([{ op: 'upsert', rule: ruleSchema.parse({ id: 'r1', ...valid }) }, { op: 'delete', id: 'r1' }])('round-trips %j through the message codec', (event) => {
    expect(decodeMessage(ruleEventSchema, encodeMessage(event))).toEqual({ ok: true, value: event });
  });

  it('reports an upsert whose rule is invalid', () => {
    expect(decodeMessage(ruleEventSchema, encodeMessage({ op: 'upsert', rule: { id: 'r1', ttl: 'x' } })).ok).toBe(false);
  });
});

describe('rule cost bounds (#9)', () => {
  it('accepts patterns up to the per-rule automaton bound and refuses the rule one step past it (#9)', () => {
    // Each `a.{0,99}b` is 201 automaton steps (+1 for the match).
    const patterns = (n: number) => Array.from({ length: n }, (_, i) => `^/${i}/a.{0,99}b`);
    const sizes = (n: number) => patterns(n).reduce((sum, p) => sum + new PathPattern(p).size, 0);
    const fits = Math.floor(MAX_RULE_AUTOMATON_SIZE / new PathPattern(patterns(1)[0] as string).size);
    expect(sizes(fits)).toBeLessThanOrEqual(MAX_RULE_AUTOMATON_SIZE);
    expect(ruleInputSchema.safeParse({ ...valid, pathPatterns: patterns(fits) }).success).toBe(true);
    const refused = ruleInputSchema.safeParse({ ...valid, pathPatterns: patterns(fits + 1) });
    expect(refused.success).toBe(false);
    if (!refused.success) expect(describeFirstIssue(refused.error).message).toMatch(/too costly/);
  });

  it('makes an event carrying a too costly rule malformed, so gateways skip it (#9)', () => {
    const rule = { id: 'costly', ...valid, pathPatterns: Array.from({ length: 20 }, () => 'a.{0,990}b') };
    const decoded = decodeMessage(ruleEventSchema, encodeMessage({ op: 'upsert', rule }));
    expect(decoded.ok).toBe(false);
  });
});
