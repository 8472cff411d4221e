import { describe, expect, it } from 'vitest';
import { encodeMessage } from './message-codec.js';
import { decodeRuleEvent, lastValidRuleEvent, type StoredRuleMessage } from './rule-event.js';
import { RULE_HISTORY_PER_SUBJECT } from './streams.js';
import { subjects } from './subjects.js';

const subject = subjects.rule('m');
const upsert = (description: string) => ({ op: 'upsert', rule: { id: 'm', description, pathPatterns: ['^/m$'], ttl: '1h' } });
const messages = (...bodies: unknown[]): StoredRuleMessage[] => bodies.map((body, i) => ({ subject, seq: i + 1, data: encodeMessage(body) }));

describe('decodeRuleEvent', () => {
  it.each([
    ['an upsert of the subject rule', upsert('v1'), true],
    ['a delete of the subject rule', { op: 'delete', id: 'm' }, true],
    ['an event naming another rule', { op: 'delete', id: 'other' }, false],
    ['a rule that fails the schema', { op: 'upsert', rule: { id: 'm', pathPatterns: [], ttl: '1h' } }, false],
    ['a rule whose patterns cost too much', { op: 'upsert', rule: { id: 'm', pathPatterns: Array.from({ length: 20 }, () => 'a.{0,99}b'), ttl: '1h' } }, false],
  ])('decodes %s: %s', (_name, body, ok) => {
    expect(decodeRuleEvent(subject, encodeMessage(body)).ok).toBe(ok);
  });
});

describe('lastValidRuleEvent (#9)', () => {
  it('is the last event that decodes, with its revision and the subject head (#9)', () => {
    const malformed: number[] = [];
    const state = lastValidRuleEvent(messages(upsert('v1'), upsert('v2'), 'junk', { op: 'delete', id: 'x' }), (msg) => malformed.push(msg.seq));
    expect(state).toMatchObject({ revision: 2, head: 4, event: { op: 'upsert', rule: { description: 'v2' } } });
    expect(malformed).toEqual([3, 4]);
  });

  it('is a delete when the last valid event is a tombstone (#9)', () => {
    expect(lastValidRuleEvent(messages(upsert('v1'), { op: 'delete', id: 'm' }, 'junk'), () => undefined).event).toEqual({ op: 'delete', id: 'm' });
  });

  it('has no event when only malformed messages are retained (#9)', () => {
    const retained = messages(upsert('v1'), ...Array.from({ length: RULE_HISTORY_PER_SUBJECT }, () => 'junk'));
    expect(lastValidRuleEvent(retained, () => undefined)).toMatchObject({ event: undefined, revision: 0, head: RULE_HISTORY_PER_SUBJECT + 1 });
  });
});
