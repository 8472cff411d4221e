import { describe, expect, it } from 'vitest';
import type { MatchCriterion } from '../contracts/rule.js';
import { compileCriterion, criteriaHold, type MatchRequest } from './rule-matcher.js';

const request: MatchRequest = { headers: { 'x-device': 'mobile', accept: 'text/html' }, query: 'lang=en&lang=de&sort=' };

const criterion = (
  type: MatchCriterion['additionalMatchType'],
  operator: MatchCriterion['additionalMatchOperator'],
  key: string,
  value?: string | string[],
): MatchCriterion => ({
  additionalMatchType: type,
  additionalMatchOperator: operator,
  additionalMatchKey: key,
  ...(value === undefined ? {} : { additionalMatchValue: value }),
});

describe('criteriaHold', () => {
  it.each([
    // operator, type, key, value, holds
    ['equals', 'header', 'X-Device', 'mobile', true],
    ['equals', 'header', 'x-device', ['tablet', 'mobile'], true],
    ['equals', 'header', 'x-device', 'Mobile', false],
    ['equals', 'header', 'x-missing', 'mobile', false],
    ['not_equals', 'header', 'x-device', 'desktop', true],
    ['not_equals', 'header', 'x-device', ['desktop', 'mobile'], false],
    ['not_equals', 'header', 'x-missing', 'mobile', true],
    ['contains', 'header', 'accept', 'html', true],
    ['contains', 'header', 'accept', ['json', 'text/'], true],
    ['contains', 'header', 'accept', 'json', false],
    ['not_contains', 'header', 'accept', 'json', true],
    ['not_contains', 'header', 'accept', ['json', 'html'], false],
    ['exists', 'header', 'ACCEPT', undefined, true],
    ['exists', 'header', 'x-missing', undefined, false],
    ['not_exists', 'header', 'x-missing', undefined, true],
    ['not_exists', 'header', 'accept', undefined, false],
    ['equals', 'query', 'lang', 'de', true],
    ['equals', 'query', 'LANG', 'de', false],
    ['exists', 'query', 'sort', undefined, true],
    ['not_exists', 'query', 'page', undefined, true],
    ['contains', 'query', 'lang', 'e', true],
  ] as const)('%s on %s %s %j holds: %s', (operator, type, key, value, holds) => {
    const compiled = compileCriterion(criterion(type, operator, key, value as string | string[] | undefined));
    expect(criteriaHold([compiled], request)).toBe(holds);
  });

  it('requires every criterion to hold (AND)', () => {
    const both = [criterion('header', 'exists', 'accept'), criterion('query', 'equals', 'lang', 'fr')].map(compileCriterion);
    expect(criteriaHold(both, request)).toBe(false);
  });
});
