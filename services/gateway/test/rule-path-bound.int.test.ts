/**
 * Rules look at paths of at most MAX_RULE_PATH_LENGTH characters (issue 9 #8): a longer
 * path matches no rule and is passed to the origin uncached, and a rule whose patterns
 * would cost too much per request is skipped by the gateway, as the rules service refuses it.
 */
import { encodeMessage, headers as cairnHeaders, MAX_RULE_PATH_LENGTH, subjects } from '@cairn/shared';
import { eventually } from '@cairn/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { outcome, startGatewayHarness, type GatewayHarness } from './gateway-harness.js';

describe('the bound on the work rules do per request', () => {
  let h: GatewayHarness;

  beforeEach(async () => {
    h = await startGatewayHarness();
    await h.applyRule({ id: 'all', pathPatterns: ['^/.*$'], ttl: '1h' });
  });
  afterEach(() => h.close());

  it('passes a path longer than rules look at to the origin uncached, and caches one at the bound (#9)', async () => {
    const long = `/${'a'.repeat(MAX_RULE_PATH_LENGTH)}`;
    const response = await fetch(`${h.gateway.url}${long}`);
    expect(await response.text()).toBe(`origin:${long}`);
    expect(response.headers.get(cairnHeaders.cache)).toBe('PASS');
    expect(response.headers.get('cache-status')).toContain('path-too-long');
    expect(await outcome(fetch(`${h.gateway.url}${long}`))).toBe('PASS');
    expect(h.origin.count(long)).toBe(2);

    const atBound = `/${'a'.repeat(MAX_RULE_PATH_LENGTH - 1)}`;
    expect(await outcome(fetch(`${h.gateway.url}${atBound}`))).toBe('MISS');
    expect(await outcome(fetch(`${h.gateway.url}${atBound}`))).toBe('HIT');
  });

  it('skips and counts a rule event whose patterns cost too much, keeping the rules it had (#9)', async () => {
    // 20 patterns like a.{0,990}b: the rule that blocked a gateway for 9.8 s before the bound.
    const costly = { op: 'upsert', rule: { id: 'costly', description: '', ttl: '1h', pathPatterns: Array.from({ length: 20 }, (_, i) => `a${i}.{0,990}b`) } };
    await h.nc.jetstream().publish(subjects.rule('costly'), encodeMessage(costly));
    await eventually(async () => expect(await h.metric('cairn_gateway_malformed_messages_total')).toContain('stream="CACHE_RULES"} 1'));
    const path = `/${'a0'.repeat(4000)}`;
    expect(await outcome(fetch(`${h.gateway.url}${path}`))).toBe('MISS');
    const ready = (await (await fetch(`${h.gateway.adminUrl}/ready`)).json()) as { rules: { count: number } };
    expect(ready.rules.count).toBe(1);
  });
});
