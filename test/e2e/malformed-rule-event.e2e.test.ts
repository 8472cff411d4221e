/**
 * A malformed rule event published by hand on `cache.rules.<id>` (issue 9 #7): a live
 * gateway, a gateway started after it, and the rules service all agree that the rule is
 * its last valid revision, and that it is gone once the stream no longer holds one.
 */
import type { Gateway } from '@cairn/gateway';
import { encodeMessage, headers as cairnHeaders, RULE_HISTORY_PER_SUBJECT, subjects } from '@cairn/shared';
import { eventually } from '@cairn/testing';
import { describe, expect, it } from 'vitest';
import { call, putRule, useSystem, type System } from './harness.js';

/** What a gateway applies to `/m/1`: the matched rule's description (our revision marker), or PASS. */
async function applied(gateway: Gateway): Promise<string> {
  const response = await fetch(`${gateway.url}/m/1`, { headers: { [cairnHeaders.debug]: 'true' } });
  await response.arrayBuffer();
  return response.headers.get(cairnHeaders.debugRule) ?? `${response.headers.get(cairnHeaders.cache)}`;
}

/** What the rules service says rule `m` is: its description everywhere it is asked. */
async function served(system: System): Promise<{ get: string; list: string; exported: string; tested: string }> {
  const get = await call(system.rules.url, 'GET', '/rules/m');
  const list = (await (await call(system.rules.url, 'GET', '/rules')).json()) as Array<{ id: string; description: string }>;
  const exported = (await (await call(system.rules.url, 'GET', '/rules/export')).json()) as { rules: Array<{ id: string; description: string }> };
  const tested = (await (await call(system.rules.url, 'POST', '/rules/test', { url: '/m/1' })).json()) as { match: { ruleId: string } | null };
  const description = (rules: Array<{ id: string; description: string }>) => rules.find((r) => r.id === 'm')?.description ?? 'absent';
  return {
    get: get.status === 200 ? ((await get.json()) as { description: string }).description : `${get.status}`,
    list: description(list),
    exported: description(exported.rules),
    tested: tested.match === null ? 'absent' : tested.match.ruleId,
  };
}

async function malformedCount(url: string, metric: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${metric}{stream="CACHE_RULES"}`));
  return line === undefined ? 0 : Number(line.split(' ')[1]);
}

describe('a malformed rule event', () => {
  const fixture = useSystem();

  /** Publishes like `nats pub cache.rules.m '…'`, into the stream (acknowledged). */
  const publishMalformed = async (body: unknown) => {
    await fixture.nc.jetstream().publish(subjects.rule('m'), encodeMessage(body));
  };

  it('leaves the last valid revision in force on a live gateway, a gateway started after it, and the rules service (#9)', async () => {
    const { system } = fixture;
    const live = await system.gateway('live');
    await putRule(system, 'm', { description: 'v1', pathPatterns: ['^/m/.*$'], ttl: '1h' });
    await putRule(system, 'm', { description: 'v2', pathPatterns: ['^/m/.*$'], ttl: '1h' });
    await eventually(async () => expect(await applied(live)).toBe('v2'));
    const revision = (await call(system.rules.url, 'GET', '/rules/m')).headers.get('etag');

    // Fails the schema (no patterns); then one that names another rule than its subject.
    await publishMalformed({ op: 'upsert', rule: { id: 'm', description: 'bad', pathPatterns: [], ttl: '1h' } });
    await publishMalformed({ op: 'delete', id: 'other' });
    await eventually(async () => expect(await malformedCount(live.adminUrl, 'cairn_gateway_malformed_messages_total')).toBe(2));

    const restarted = await system.gateway('after');
    expect(await applied(live)).toBe('v2');
    expect(await applied(restarted)).toBe('v2');
    expect(await served(system)).toEqual({ get: 'v2', list: 'v2', exported: 'v2', tested: 'm' });
    expect((await call(system.rules.url, 'GET', '/rules/m')).headers.get('etag')).toBe(revision);
    expect(await malformedCount(restarted.adminUrl, 'cairn_gateway_malformed_messages_total')).toBeGreaterThanOrEqual(1);
    expect(await malformedCount(system.rules.url, 'cairn_rules_malformed_messages_total')).toBeGreaterThanOrEqual(1);

    // The revision still guards writes: a PUT against it succeeds, and everyone follows it.
    const put = await call(system.rules.url, 'PUT', '/rules/m', { description: 'v3', pathPatterns: ['^/m/.*$'], ttl: '1h' }, { 'if-match': revision as string });
    expect(put.status).toBe(204);
    await eventually(async () => expect([await applied(live), await applied(restarted)]).toEqual(['v3', 'v3']));
  });

  it('makes the rule absent everywhere once the stream holds no valid revision of it (#9)', async () => {
    const { system } = fixture;
    const live = await system.gateway('live');
    await putRule(system, 'm', { description: 'v1', pathPatterns: ['^/m/.*$'], ttl: '1h' });
    await eventually(async () => expect(await applied(live)).toBe('v1'));

    // The stream keeps RULE_HISTORY_PER_SUBJECT messages per rule: v1 has now aged out.
    for (let i = 0; i < RULE_HISTORY_PER_SUBJECT; i++) await publishMalformed({ op: 'upsert', rule: { id: 'm', ttl: 'sometimes' } });
    await eventually(async () => expect(await applied(live)).toBe('PASS'));

    const restarted = await system.gateway('after');
    expect(await applied(restarted)).toBe('PASS');
    expect(await served(system)).toEqual({ get: '404', list: 'absent', exported: 'absent', tested: 'absent' });
  });

  it('is no rule at all on every reader when the subject never held a valid event (#9)', async () => {
    const { system } = fixture;
    const live = await system.gateway('live');
    await publishMalformed('not json either way');
    await eventually(async () => expect(await malformedCount(live.adminUrl, 'cairn_gateway_malformed_messages_total')).toBe(1));
    const restarted = await system.gateway('after');
    expect([await applied(live), await applied(restarted)]).toEqual(['PASS', 'PASS']);
    expect(await served(system)).toEqual({ get: '404', list: 'absent', exported: 'absent', tested: 'absent' });
    // A create still works: it expects the malformed message as the subject's last.
    expect((await call(system.rules.url, 'POST', '/rules', { id: 'm', description: 'v1', pathPatterns: ['^/m/.*$'], ttl: '1h' })).status).toBe(201);
    await eventually(async () => expect([await applied(live), await applied(restarted)]).toEqual(['v1', 'v1']));
  });
});
