/**
 * Invalidation kinds and modes end to end (README, Invalidation): rules and invalidation services,
 * gateways, one nats-server, a real origin.
 */
import { encodeMessage, headers, subjects } from '@cairn/shared';
import { eventually } from '@cairn/testing';
import { createInbox, headers as natsHeaders } from 'nats';
import { describe, expect, it } from 'vitest';
import { cacheHeader, call, fillUntilHit, holds, natsPub as natsPubOn, putRule as putRuleOn, useSystem } from './harness.js';

describe('invalidation kinds and modes, end to end', () => {
  const fixture = useSystem({ cacheTagsHeader: 'x-origin-cache-tags' });

  const putRule = (id: string, rule: Record<string, unknown>) => putRuleOn(fixture.system, id, rule);
  const natsPub = (command: unknown) => natsPubOn(fixture.nc, command);
  const warm = async (base: string, ...paths: string[]) => {
    for (const path of paths) await fillUntilHit(`${base}${path}`);
  };

  it('sends the result of a NATS command to its Cairn-Reply-To subject, and the error of a bad one', async () => {
    const inbox = createInbox();
    const replies = fixture.nc.subscribe(inbox, { max: 2 });
    const send = (command: unknown) => {
      const h = natsHeaders();
      h.set(headers.natsReplyTo, inbox);
      fixture.nc.publish(subjects.invalidationCommands, encodeMessage(command), { headers: h });
    };
    send({ type: 'cacheTag', cacheTag: 'news' });
    send({ type: 'cacheTag' });
    const answers: unknown[] = [];
    for await (const msg of replies) answers.push(JSON.parse(new TextDecoder().decode(msg.data)));
    expect(answers[0]).toMatchObject({ sequence: expect.any(Number), event: { kind: 'tag', key: 'news' } });
    expect(answers[1]).toMatchObject({ error: 'CAIRN_VALIDATION_FAILED', reason: 'invalid:cacheTag' });
  });

  it('removes every variant of a URL named without a query, and no other path', async () => {
    const gateway = await fixture.system.gateway('g1');
    await putRule('all', { pathPatterns: ['^/.*$'], ttl: '1h' });
    await warm(gateway.url, '/products/1?color=red', '/products/1?color=blue', '/products/10');

    await natsPub({ type: 'url', url: 'https://shop.example/Products/1' });

    await eventually(async () => expect(await cacheHeader(`${gateway.url}/products/1?color=red`)).toBe('MISS'));
    expect(await cacheHeader(`${gateway.url}/products/1?color=blue`)).toBe('MISS');
    expect(await cacheHeader(`${gateway.url}/products/10`)).toBe('HIT');
  });

  it('removes only the variant of a URL named with its query, in any parameter order', async () => {
    const gateway = await fixture.system.gateway('g1');
    await putRule('all', { pathPatterns: ['^/.*$'], ttl: '1h' });
    await warm(gateway.url, '/search?q=shoes&page=2', '/search?q=hats');

    const response = await call(fixture.system.invalidation.url, 'POST', '/cache/invalidate', { type: 'url', url: '/search?page=2&q=shoes' });
    expect(response.status).toBeLessThan(300);

    await eventually(async () => expect(await cacheHeader(`${gateway.url}/search?q=shoes&page=2`)).toBe('MISS'));
    expect(await cacheHeader(`${gateway.url}/search?q=hats`)).toBe('HIT');
  });

  it('matches cache tags exactly: tag:1 never purges tag:10', async () => {
    const gateway = await fixture.system.gateway('g1');
    await putRule('all', { pathPatterns: ['^/.*$'], ttl: '1h' });
    fixture.system.origin.route('/one', { headers: { 'x-origin-cache-tags': 'tag:1 news' } });
    fixture.system.origin.route('/ten', { headers: { 'x-origin-cache-tags': 'tag:10,sports' } });
    await warm(gateway.url, '/one', '/ten');

    await natsPub({ type: 'cacheTag', cacheTag: 'tag:1' });

    await eventually(async () => expect(await cacheHeader(`${gateway.url}/one`)).toBe('MISS'));
    expect(await cacheHeader(`${gateway.url}/ten`)).toBe('HIT');
  });

  it('serves a soft-purged entry STALE within staleWhileRevalidate while it is refreshed', async () => {
    const gateway = await fixture.system.gateway('g1');
    await putRule('swr', { pathPatterns: ['^/.*$'], ttl: '1h', staleWhileRevalidate: '1m' });
    let version = 1;
    fixture.system.origin.route('/soft', { delayMs: 200, body: () => `v${version}` });
    await warm(gateway.url, '/soft');
    version = 2;

    await natsPub({ type: 'page', mode: 'soft' });

    await eventually(async () => expect(await cacheHeader(`${gateway.url}/soft`)).toBe('STALE'));
    await eventually(async () => expect(await (await fetch(`${gateway.url}/soft`)).text()).toBe('v2'));
    expect(await cacheHeader(`${gateway.url}/soft`)).toBe('HIT');
  });

  it('treats a soft purge as a MISS when the rule allows no stale window', async () => {
    const gateway = await fixture.system.gateway('g1');
    await putRule('all', { pathPatterns: ['^/.*$'], ttl: '1h' });
    await warm(gateway.url, '/soft-strict');

    await natsPub({ type: 'all', mode: 'soft' });

    await eventually(async () => expect(await cacheHeader(`${gateway.url}/soft-strict`)).toBe('MISS'));
  });

  it('never serves a hard-purged entry stale, whatever the rule allows', async () => {
    const gateway = await fixture.system.gateway('g1');
    await putRule('swr', { pathPatterns: ['^/.*$'], ttl: '1h', staleWhileRevalidate: '1m', staleIfError: '1m' });
    await warm(gateway.url, '/hard');

    await natsPub({ type: 'page' });

    await eventually(async () => expect(await cacheHeader(`${gateway.url}/hard`)).toBe('MISS'));
  });

  it('keeps an earlier hard purge through a restart after a later soft purge of the same target', async () => {
    let gateway = await fixture.system.gateway('g1');
    await putRule('swr', { pathPatterns: ['^/.*$'], ttl: '1h', staleWhileRevalidate: '1m' });
    await warm(gateway.url, '/layered');
    await gateway.close();

    // REST answers once the event is in the stream, so both are there before the restart.
    expect((await call(fixture.system.invalidation.url, 'POST', '/cache/invalidate', { type: 'page' })).status).toBeLessThan(300);
    expect((await call(fixture.system.invalidation.url, 'POST', '/cache/invalidate', { type: 'page', mode: 'soft' })).status).toBeLessThan(300);
    gateway = await fixture.system.gateway('g1');

    // The hard purge came first: the entry is gone, not merely stale.
    await eventually(async () => expect(await cacheHeader(`${gateway.url}/layered`)).toBe('MISS'));
  });
});

describe('every command type, end to end', () => {
  const fixture = useSystem((originUrl) => ({ apiOrigin: originUrl, apiPathPrefix: '/api/', apiCacheKey: {} }));

  it.each([
    [{ type: 'api' }, ['/api/g'], ['/page-g', '/page']],
    [{ type: 'page' }, ['/page-g', '/page'], ['/api/g']],
    [{ type: 'all' }, ['/page-g', '/page', '/api/g'], []],
    [{ type: 'page', groupCode: 'g' }, ['/page-g'], ['/page', '/api/g']],
    [{ type: 'all', groupCode: 'g' }, ['/page-g', '/api/g'], ['/page']],
    [{ type: 'group', groupCode: 'g' }, ['/page-g', '/api/g'], ['/page']],
    [{ type: 'group', groupCode: 'page' }, [], ['/page-g', '/page', '/api/g']],
  ])('%j removes %j and keeps %j', async (command, removed, kept) => {
    const gateway = await fixture.system.gateway('g1');
    await call(fixture.system.rules.url, 'PUT', '/rules/grouped', { pathPatterns: ['^/page-g$', '^/api/g$'], ttl: '1h', groupCode: 'g' });
    await call(fixture.system.rules.url, 'PUT', '/rules/rest', { pathPatterns: ['^/.*$'], ttl: '1h' });
    for (const path of ['/page-g', '/page', '/api/g']) {
      await eventually(async () => expect(await cacheHeader(`${gateway.url}${path}`)).toBe('HIT'));
    }
    // Confirmed only by gateways the service knows are live: g1 must have heartbeated first.
    await eventually(async () => {
      const live = (await (await call(fixture.system.invalidation.url, 'GET', '/gateways')).json()) as { gateways: Array<{ gatewayId: string }> };
      expect(live.gateways.map((g) => g.gatewayId)).toContain('g1');
    });
    expect((await call(fixture.system.invalidation.url, 'POST', '/cache/invalidate', command)).status).toBe(200);
    for (const path of removed) expect(await cacheHeader(`${gateway.url}${path}`), path).toBe('MISS');
    for (const path of kept) expect(await cacheHeader(`${gateway.url}${path}`), path).toBe('HIT');
  });
});

describe('confirmed invalidation, end to end', () => {
  const fixture = useSystem({ cacheTagsHeader: 'x-tags' });

  it('answers once every live gateway has applied the event, naming them', async () => {
    const [g1, g2] = [await fixture.system.gateway('g1'), await fixture.system.gateway('g2')];
    await call(fixture.system.rules.url, 'PUT', '/rules/all', { pathPatterns: ['^/.*$'], ttl: '1h' });
    await eventually(async () => {
      const live = (await (await call(fixture.system.invalidation.url, 'GET', '/gateways')).json()) as { gateways: Array<{ gatewayId: string }> };
      expect(live.gateways.map((g) => g.gatewayId)).toEqual(['g1', 'g2']);
    });
    for (const g of [g1, g2]) await fillUntilHit(`${g.url}/confirmed`);

    const response = await call(fixture.system.invalidation.url, 'POST', '/cache/invalidate', { type: 'page' });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { id: string; sequence: number; acknowledgedBy: string[]; pending: string[] };
    expect(body).toMatchObject({ acknowledgedBy: ['g1', 'g2'], pending: [], deleted: 0 });
    // Confirmed means applied: neither gateway holds it any longer.
    for (const g of [g1, g2]) expect(await holds(`${g.url}/confirmed`)).toBe(false);

    const later = (await (await call(fixture.system.invalidation.url, 'GET', `/cache/invalidate/${body.id}`)).json()) as Record<string, unknown>;
    expect(later).toMatchObject({ id: body.id, sequence: body.sequence, acknowledgedBy: ['g1', 'g2'], pending: [] });
  });

  it('deletes tagged and URL entries through the indexes and reports how many', async () => {
    const [g1, g2] = [await fixture.system.gateway('g1'), await fixture.system.gateway('g2')];
    await call(fixture.system.rules.url, 'PUT', '/rules/all', { pathPatterns: ['^/.*$'], ttl: '1h' });
    fixture.system.origin.route('/news/1', { headers: { 'x-tags': 'news' } });
    fixture.system.origin.route('/news/2', { headers: { 'x-tags': 'news, sports' } });
    fixture.system.origin.route('/weather', { headers: { 'x-tags': 'newsy' } });
    for (const g of [g1, g2]) {
      for (const path of ['/news/1', '/news/2', '/weather', '/page?v=1', '/page?v=2']) await fillUntilHit(`${g.url}${path}`);
    }
    await eventually(async () => {
      const live = (await (await call(fixture.system.invalidation.url, 'GET', '/gateways')).json()) as { gateways: unknown[] };
      expect(live.gateways).toHaveLength(2);
    });

    const tag = (await (await call(fixture.system.invalidation.url, 'POST', '/cache/invalidate', { type: 'cacheTag', cacheTag: 'news' })).json()) as Record<string, unknown>;
    expect(tag).toMatchObject({ acknowledgedBy: ['g1', 'g2'], deleted: 4 });
    const url = (await (await call(fixture.system.invalidation.url, 'POST', '/cache/invalidate', { type: 'url', url: '/page' })).json()) as Record<string, unknown>;
    expect(url).toMatchObject({ acknowledgedBy: ['g1', 'g2'], deleted: 4 });
    expect(await cacheHeader(`${g1.url}/weather`)).toBe('HIT');
  });

  it('reports a gateway that did not confirm in time as pending', async () => {
    const g1 = await fixture.system.gateway('g1');
    await eventually(async () => {
      const live = (await (await call(fixture.system.invalidation.url, 'GET', '/gateways')).json()) as { gateways: unknown[] };
      expect(live.gateways).toHaveLength(1);
    });
    await g1.close();
    const body = (await (await call(fixture.system.invalidation.url, 'POST', '/cache/invalidate', { type: 'all' })).json()) as Record<string, unknown>;
    expect(body).toMatchObject({ acknowledgedBy: [], pending: ['g1'] });
  });

  it('lists the latest events per target, newest first, filtered by kind and key', async () => {
    await call(fixture.system.invalidation.url, 'POST', '/cache/invalidate', { type: 'cacheTag', cacheTag: 'news' });
    await call(fixture.system.invalidation.url, 'POST', '/cache/invalidate', { type: 'url', url: '/a?x=1' });
    await call(fixture.system.invalidation.url, 'POST', '/cache/invalidate', { type: 'cacheTag', cacheTag: 'sports' });
    const all = (await (await call(fixture.system.invalidation.url, 'GET', '/cache/invalidations')).json()) as { events: Array<{ kind: string; key?: string; sequence: number }> };
    expect(all.events.map((e) => e.key)).toEqual(['sports', '/a?x=1', 'news']);
    const tags = (await (await call(fixture.system.invalidation.url, 'GET', '/cache/invalidations?kind=tag&key=news')).json()) as { events: Array<{ key: string }> };
    expect(tags.events.map((e) => e.key)).toEqual(['news']);
  });
});
