import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { rulesIn } from './rules.js';

const rule = { id: 'products', pathPatterns: ['^/products/.*$'], ttl: '1h' };

describe('rulesIn (what rules apply -f reads)', () => {
  it.each([
    ['one rule', rule],
    ['an array of rules', [rule]],
    ['an export document', { exportedAt: '2026-12-02T12:00:00.000Z', rules: [rule] }],
  ])('reads %s', (_what, document) => {
    expect(rulesIn(document, 'rules.json')).toEqual([rule]);
  });

  it('drops the revision that rules ls --json lists with each rule', () => {
    expect(rulesIn([{ ...rule, revision: 7 }], 'rules.json')).toEqual([rule]);
  });

  it.each([
    [[{ ttl: '1h' }], 'rules.json: rules[0].id: required'],
    [[rule, 'text'], 'rules.json: rules[1]: expected a rule object'],
  ])('refuses %j with a usage error saying %s', (document, message) => {
    expect(() => rulesIn(document, 'rules.json')).toThrow(UsageError);
    expect(() => rulesIn(document, 'rules.json')).toThrow(message);
  });
});
