/**
 * Active caching end to end (README, Active caching): the rules and invalidation services, two
 * gateways and a real origin on one nats-server. A warm and a refresh reach the origin once for
 * the fleet, and every gateway answers the result.
 */
import { eventually } from '@cairn/testing';
import { describe, expect, it } from 'vitest';
import { cacheHeader, call, fillUntilHit, putRule, useSystem } from './harness.js';

describe('active caching, end to end', () => {
  const fixture = useSystem({ cacheTagsHeader: 'x-tags' });

  const fleet = async () => {
    const g1 = await fixture.system.gateway('g1');
    const g2 = await fixture.system.gateway('g2');
    await putRule(fixture.system, 'all', { pathPatterns: ['^/.*$'], ttl: '1h' });
    await eventually(async () => {
      const { gateways } = (await (await call(fixture.system.invalidation.url, 'GET', '/gateways')).json()) as { gateways: unknown[] };
      expect(gateways).toHaveLength(2);
    });
    // Both gateways have the rule.
    for (const g of [g1, g2]) await fillUntilHit(`${g.url}/probe-${g === g1 ? 1 : 2}`);
    return { g1, g2 };
  };

  it('warms URLs with one origin fetch each for the fleet and confirms which gateways hold them', async () => {
    const { g1, g2 } = await fleet();
    fixture.system.origin.route('/warm/broken', { status: 500 });
    const response = await call(fixture.system.invalidation.url, 'POST', '/cache/warm', { urls: ['/warm/a', '/warm/b?x=1', '/warm/broken'] });
    expect(response.status).toBe(200);
    const report = (await response.json()) as { state: string; stored: number; failed: number; urls: Array<{ url: string; state: string; status?: number; storedOn: string[] }> };
    expect(report).toMatchObject({ state: 'done', stored: 2, failed: 1 });
    expect(report.urls.map((u) => [u.url, u.state, u.storedOn])).toEqual([
      ['/warm/a', 'stored', ['g1', 'g2']],
      ['/warm/b?x=1', 'stored', ['g1', 'g2']],
      ['/warm/broken', 'failed', []],
    ]);
    expect(report.urls[2]?.status).toBe(500);

    for (const g of [g1, g2]) {
      expect(await cacheHeader(`${g.url}/warm/a`)).toBe('HIT');
      expect(await cacheHeader(`${g.url}/warm/b?x=1`)).toBe('HIT');
    }
    expect(fixture.system.origin.count('/warm/a')).toBe(1);
    expect(fixture.system.origin.count('/warm/b')).toBe(1);
  });

  it('serves the old answer STALE on both gateways during a refresh, then the new one fetched once', async () => {
    const { g1, g2 } = await fleet();
    let version = 1;
    fixture.system.origin.route('/article', { body: () => `article v${version}`, headers: { 'x-tags': 'articles' } });
    await fillUntilHit(`${g1.url}/article`);
    await fillUntilHit(`${g2.url}/article`);
    const fetchedBefore = fixture.system.origin.count('/article');
    version = 2;
    fixture.system.origin.route('/article', { body: () => `article v${version}`, headers: { 'x-tags': 'articles' }, delayMs: 500 });

    const confirmed = await call(fixture.system.invalidation.url, 'POST', '/cache/invalidate', { type: 'cacheTag', cacheTag: 'articles', mode: 'refresh' });
    expect(confirmed.status).toBe(200);
    expect(await confirmed.json()).toMatchObject({ acknowledgedBy: ['g1', 'g2'], deleted: 0 });
    for (const g of [g1, g2]) {
      const stale = await fetch(`${g.url}/article`);
      expect(stale.headers.get('x-cairn-cache')).toBe('STALE');
      expect(await stale.text()).toBe('article v1');
    }
    for (const g of [g1, g2]) {
      await eventually(async () => {
        const fresh = await fetch(`${g.url}/article`);
        expect(fresh.headers.get('x-cairn-cache')).toBe('HIT');
        expect(await fresh.text()).toBe('article v2');
      });
    }
    expect(fixture.system.origin.count('/article')).toBe(fetchedBefore + 1);
  });
});
