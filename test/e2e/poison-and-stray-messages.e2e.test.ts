/**
 * Poison commands and stray publishes, end to end (#9): an 8 KB URL purge goes from a NATS
 * command to every gateway, a command that can never be applied does not hold up the ones
 * behind it, and a reply aimed at a purge's subject cannot undo the purge.
 */
import { encodeMessage, headers, streamConfigs, streamNames, subjects } from '@cairn/shared';
import { eventually } from '@cairn/testing';
import { createInbox, headers as natsHeaders } from 'nats';
import { describe, expect, it } from 'vitest';
import { cacheHeader, call, fillUntilHit, holds, natsPub as natsPubOn, putRule as putRuleOn, useSystem } from './harness.js';

describe('poison commands and stray messages, end to end', () => {
  const fixture = useSystem({ cacheTagsHeader: 'x-tags' });
  const putRule = (id: string, rule: Record<string, unknown>) => putRuleOn(fixture.system, id, rule);
  const natsPub = (command: unknown) => natsPubOn(fixture.nc, command);
  const sendWithReply = (command: unknown, replyTo: string) => {
    const h = natsHeaders();
    h.set(headers.natsReplyTo, replyTo);
    fixture.nc.publish(subjects.invalidationCommands, encodeMessage(command), { headers: h });
  };
  const warm = (base: string, path: string) => fillUntilHit(`${base}${path}`);
  const bothLive = async () =>
    eventually(async () => {
      const live = (await (await call(fixture.system.invalidation.url, 'GET', '/gateways')).json()) as { gateways: unknown[] };
      expect(live.gateways).toHaveLength(2);
    });

  it('purges an 8 KB URL sent as a NATS command on every gateway, deleting its entries (#9)', async () => {
    const [g1, g2] = [await fixture.system.gateway('g1'), await fixture.system.gateway('g2')];
    await putRule('all', { pathPatterns: ['^/.*$'], ttl: '1h' });
    const path = `/catalog?filter=${'f'.repeat(8170)}`;
    for (const g of [g1, g2]) {
      await warm(g.url, path);
      await warm(g.url, '/other');
    }
    await bothLive();

    const inbox = createInbox();
    const replies = fixture.nc.subscribe(inbox, { max: 1 });
    sendWithReply({ type: 'url', url: path }, inbox);
    let id = '';
    for await (const msg of replies) id = (msg.json() as { id: string }).id;
    expect(id).toMatch(/^cmd-/);
    await eventually(async () => {
      const report = (await (await call(fixture.system.invalidation.url, 'GET', `/cache/invalidate/${id}`)).json()) as Record<string, unknown>;
      expect(report).toMatchObject({ acknowledgedBy: ['g1', 'g2'], deleted: 2 });
    });
    for (const g of [g1, g2]) {
      expect(await holds(`${g.url}${path}`)).toBe(false);
      expect(await cacheHeader(`${g.url}/other`)).toBe('HIT');
    }
  });

  it('dead-letters a command that can never be published and applies the ones behind it (#9)', async () => {
    const gateway = await fixture.system.gateway('g1');
    await putRule('all', { pathPatterns: ['^/.*$'], ttl: '1h' });
    fixture.system.origin.route('/tagged', { headers: { 'x-tags': 'behind' } });
    await warm(gateway.url, '/tagged');
    const jsm = await fixture.nc.jetstreamManager();
    const config = streamConfigs({ replicas: 1, invalidationRetentionMs: 30 * 86_400_000 }).find((c) => c.name === streamNames.invalidations)!;
    await jsm.streams.update(streamNames.invalidations, { ...config, max_msg_size: 2048 });

    await natsPub({ type: 'url', url: `/never?q=${'n'.repeat(4000)}` });
    await natsPub({ type: 'cacheTag', cacheTag: 'behind' });

    await eventually(async () => expect(await cacheHeader(`${gateway.url}/tagged`)).toBe('MISS'));
    await eventually(async () => expect((await jsm.streams.info(streamNames.deadLetters)).state.messages).toBe(1));
    expect((await jsm.streams.info(streamNames.commands)).state.messages).toBe(0);
  });

  it('keeps a purge made while a gateway was down when a reply is aimed at its subject (#9)', async () => {
    let gateway = await fixture.system.gateway('g1');
    await putRule('all', { pathPatterns: ['^/.*$'], ttl: '1h' });
    await warm(gateway.url, '/purged');
    await gateway.close();

    expect((await call(fixture.system.invalidation.url, 'POST', '/cache/invalidate', { type: 'page' })).status).toBe(200);
    sendWithReply({ type: 'cacheTag', cacheTag: 'decoy' }, subjects.invalidation('scope', 'page', undefined));
    sendWithReply({ type: 'cacheTag' }, subjects.invalidation('scope', 'page', undefined));
    await eventually(async () => {
      const listed = (await (await call(fixture.system.invalidation.url, 'GET', '/cache/invalidations?kind=tag')).json()) as { events: unknown[] };
      expect(listed.events).toHaveLength(1);
    });

    gateway = await fixture.system.gateway('g1');
    expect(await cacheHeader(`${gateway.url}/purged`)).toBe('MISS');
  });
});
