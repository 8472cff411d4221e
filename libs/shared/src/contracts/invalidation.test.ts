import { describe, expect, it } from 'vitest';
import { describeFirstIssue } from '../config/describe-issues.js';
import { decodeMessage, encodeMessage } from './message-codec.js';
import { invalidationCommandSchema, invalidationEventSchema } from './invalidation.js';

describe('invalidationCommandSchema', () => {
  it.each([
    { type: 'api' },
    { type: 'page', groupCode: 'shoes' },
    { type: 'all', mode: 'hard', runAsync: true },
    { type: 'group', groupCode: 'shoes' },
    { type: 'cacheTag', cacheTag: 'product:1' },
    { type: 'page', mode: 'soft' },
    { type: 'url', url: '/products/1?color=red' },
    { type: 'url', url: 'https://shop.example/products/1' },
  ])('accepts %j', (command) => {
    expect(invalidationCommandSchema.safeParse(command).success).toBe(true);
  });

  it.each([
    [{}, 'type'],
    [{ type: 'everything' }, 'type'],
    [{ type: 'cacheTag' }, 'cacheTag'],
    [{ type: 'cacheTag', cacheTag: '  ' }, 'cacheTag'],
    [{ type: 'page', cacheTag: 'x' }, 'cacheTag'],
    [{ type: 'group' }, 'groupCode'],
    [{ type: 'page', mode: 'gentle' }, 'mode'],
    [{ type: 'url' }, 'url'],
    [{ type: 'url', url: 'products/1' }, 'url'],
    [{ type: 'url', url: '/x', groupCode: 'g' }, 'groupCode'],
    [{ type: 'page', url: '/x' }, 'url'],
    [{ type: 'page', extra: 1 }, 'extra'],
  ])('rejects %j naming the field %j', (command, field) => {
    const result = invalidationCommandSchema.safeParse(command);
    expect(result.success).toBe(false);
    if (!result.success) expect(describeFirstIssue(result.error).field).toBe(field);
  });
});

describe('invalidation events', () => {
  const event = { id: 'e1', kind: 'tag', cache: 'all', key: 'news', mode: 'hard', issuedAt: new Date(0).toISOString(), source: 'nats' };

  it('round-trips through the message codec', () => {
    expect(decodeMessage(invalidationEventSchema, encodeMessage(event))).toEqual({ ok: true, value: event });
  });

  it('requires a key for every kind but scope', () => {
    const keyless: Partial<typeof event> = { ...event };
    delete keyless.key;
    expect(decodeMessage(invalidationEventSchema, encodeMessage(keyless)).ok).toBe(false);
    expect(decodeMessage(invalidationEventSchema, encodeMessage({ ...keyless, kind: 'scope' })).ok).toBe(true);
  });

  it('reports a payload that is not JSON instead of throwing', () => {
    const result = decodeMessage(invalidationEventSchema, new TextEncoder().encode('{nope'));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(/^not JSON/);
  });
});

describe('closed reason labels (#9)', () => {
  const decode = (payload: unknown) => decodeMessage(invalidationCommandSchema, new TextEncoder().encode(JSON.stringify(payload)));

  it.each([
    [{ type: 'cacheTag' }, 'invalid:cacheTag'],
    [{ type: 'nope' }, 'invalid:type'],
    [{ type: 'api', attacker_field_1234: 1 }, 'invalid:other'],
    [{ type: 'api', ['x'.repeat(500)]: 1 }, 'invalid:other'],
    [[1, 2], 'invalid:body'],
    [{ type: 'url', url: 'http://' }, 'invalid:url'],
  ])('labels %j as %s', (payload, reason) => {
    const result = decode(payload);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toBe(reason);
  });
});
