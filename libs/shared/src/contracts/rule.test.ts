import { describe, expect, it } from 'vitest';
import { describeFirstIssue } from '../config/describe-issues.js';
import { decodeMessage, encodeMessage } from './message-codec.js';
import { ruleEventSchema } from './rule-event.js';
import { ruleIdSchema, ruleInputSchema, ruleSchema } from './rule.js';

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
