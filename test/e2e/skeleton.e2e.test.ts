import { subjects } from '@cairn/shared';
import { eventually } from '@cairn/testing';
import { describe, expect, it } from 'vitest';
import { cacheHeader, call, fillUntilHit, holds, natsPub as natsPubOn, putRule as putRuleOn, useSystem } from './harness.js';

describe('the walking skeleton, end to end', () => {
  const fixture = useSystem({ cacheTagsHeader: 'x-origin-cache-tags' });

  const putRule = (id: string, rule: Record<string, unknown>) => putRuleOn(fixture.system, id, rule);
  const natsPub = (command: unknown) => natsPubOn(fixture.nc, command);

  it('serves MISS then HIT after a rule is PUT, asking the origin once', async () => {
    const gateway = await fixture.system.gateway('g1');
    await putRule('products', { pathPatterns: ['^/products/.*$'], ttl: '1h' });
    await eventually(async () => expect(await cacheHeader(`${gateway.url}/products/1`)).toBe('MISS'));
    const hit = await fetch(`${gateway.url}/products/1`);
    expect(hit.headers.get('x-cairn-cache')).toBe('HIT');
    expect(await hit.text()).toBe('origin:/products/1');
    expect(fixture.system.origin.count('/products/1')).toBe(1);
  });

  it('passes a request no rule matches straight to the origin, every time', async () => {
    const gateway = await fixture.system.gateway('g1');
    expect(await cacheHeader(`${gateway.url}/uncached`)).toBe('PASS');
    expect(await cacheHeader(`${gateway.url}/uncached`)).toBe('PASS');
    expect(fixture.system.origin.count('/uncached')).toBe(2);
  });

  it('makes the next request a MISS after a plain NATS publish on cache.invalidate', async () => {
    const gateway = await fixture.system.gateway('g1');
    await putRule('all', { pathPatterns: ['^/.*$'], ttl: '1h' });
    await eventually(async () => expect(await cacheHeader(`${gateway.url}/page`)).toBe('MISS'));
    expect(await cacheHeader(`${gateway.url}/page`)).toBe('HIT');

    await natsPub({ type: 'page' });

    await eventually(async () => expect(await cacheHeader(`${gateway.url}/page`)).toBe('MISS'));
    expect(await cacheHeader(`${gateway.url}/page`)).toBe('HIT');
    expect(fixture.system.origin.count('/page')).toBe(2);
  });

  it('turns a HIT into PASS when the rule is changed to no_cache on a running gateway', async () => {
    const gateway = await fixture.system.gateway('g1');
    await putRule('docs', { pathPatterns: ['^/docs$'], ttl: '1h' });
    await eventually(async () => expect(await cacheHeader(`${gateway.url}/docs`)).toBe('MISS'));
    expect(await cacheHeader(`${gateway.url}/docs`)).toBe('HIT');

    await putRule('docs', { pathPatterns: ['^/docs$'], ttl: 'no_cache' });

    await eventually(async () => expect(await cacheHeader(`${gateway.url}/docs`)).toBe('PASS'));
  });

  it('serves a stored entry as a HIT after a restart without asking the origin', async () => {
    await putRule('all', { pathPatterns: ['^/.*$'], ttl: '1h' });
    const first = await fixture.system.gateway('g1');
    await eventually(async () => expect(await cacheHeader(`${first.url}/kept`)).toBe('MISS'));
    await first.close();

    const restarted = await fixture.system.gateway('g1');
    const hit = await fetch(`${restarted.url}/kept`);
    expect(hit.headers.get('x-cairn-cache')).toBe('HIT');
    expect(await hit.text()).toBe('origin:/kept');
    expect(fixture.system.origin.count('/kept')).toBe(1);
  });

  it('applies an invalidation issued while a gateway was down before it serves hits', async () => {
    await putRule('all', { pathPatterns: ['^/.*$'], ttl: '1h' });
    const first = await fixture.system.gateway('g1');
    await eventually(async () => expect(await cacheHeader(`${first.url}/gone`)).toBe('MISS'));
    await first.close();

    const response = await call(fixture.system.invalidation.url, 'POST', '/cache/invalidate', { type: 'all', runAsync: true });
    expect(response.status).toBe(202);

    const restarted = await fixture.system.gateway('g1');
    expect(await cacheHeader(`${restarted.url}/gone`)).toBe('MISS');
    expect(fixture.system.origin.count('/gone')).toBe(2);
  });

  it('shows a second gateway the same rules and invalidations', async () => {
    const g1 = await fixture.system.gateway('g1');
    const g2 = await fixture.system.gateway('g2');
    await putRule('all', { pathPatterns: ['^/.*$'], ttl: '1h' });
    for (const gateway of [g1, g2]) await fillUntilHit(`${gateway.url}/shared`);

    await natsPub({ type: 'all' });

    for (const gateway of [g1, g2]) await eventually(async () => expect(await holds(`${gateway.url}/shared`)).toBe(false));
  });

  it('invalidates only the entries of the named group', async () => {
    const gateway = await fixture.system.gateway('g1');
    await putRule('shoes', { pathPatterns: ['^/shoes/.*$'], ttl: '1h', groupCode: 'shoes' });
    await putRule('hats', { pathPatterns: ['^/hats/.*$'], ttl: '1h', groupCode: 'hats' });
    await eventually(async () => expect(await cacheHeader(`${gateway.url}/hats/1`)).toBe('MISS'));
    await eventually(async () => expect(await cacheHeader(`${gateway.url}/shoes/1`)).toBe('MISS'));

    await natsPub({ type: 'page', groupCode: 'shoes' });

    await eventually(async () => expect(await cacheHeader(`${gateway.url}/shoes/1`)).toBe('MISS'));
    expect(await cacheHeader(`${gateway.url}/hats/1`)).toBe('HIT');
  });

  it('keeps a group named like a cache apart from that cache', async () => {
    const gateway = await fixture.system.gateway('g1');
    await putRule('all', { pathPatterns: ['^/.*$'], ttl: '1h' });
    await eventually(async () => expect(await cacheHeader(`${gateway.url}/plain`)).toBe('MISS'));

    await natsPub({ type: 'group', groupCode: 'page' });
    await natsPub({ type: 'group', groupCode: 'all' });
    const marker = await call(fixture.system.invalidation.url, 'POST', '/cache/invalidate', { type: 'cacheTag', cacheTag: 'marker' });
    const { sequence } = (await marker.json()) as { sequence: number };
    await eventually(async () => {
      const ready = (await (await fetch(`${gateway.adminUrl}/ready`)).json()) as { invalidations: { appliedSeq: number } };
      expect(ready.invalidations.appliedSeq).toBeGreaterThanOrEqual(sequence);
    });

    expect(await cacheHeader(`${gateway.url}/plain`)).toBe('HIT');
  });

  it('invalidates exactly the entries whose origin response carried the tag', async () => {
    const gateway = await fixture.system.gateway('g1');
    fixture.system.origin.route('/tagged', { headers: { 'x-origin-cache-tags': 'tag:1, news' } });
    fixture.system.origin.route('/other', { headers: { 'x-origin-cache-tags': 'tag:10' } });
    await putRule('all', { pathPatterns: ['^/.*$'], ttl: '1h' });
    await eventually(async () => expect(await cacheHeader(`${gateway.url}/tagged`)).toBe('MISS'));
    expect(await cacheHeader(`${gateway.url}/other`)).toBe('MISS');

    await natsPub({ type: 'cacheTag', cacheTag: 'tag:1' });

    await eventually(async () => expect(await cacheHeader(`${gateway.url}/tagged`)).toBe('MISS'));
    expect(await cacheHeader(`${gateway.url}/other`)).toBe('HIT');
  });

  it('survives a malformed command on cache.invalidate and applies the next valid one', async () => {
    const gateway = await fixture.system.gateway('g1');
    await putRule('all', { pathPatterns: ['^/.*$'], ttl: '1h' });
    await eventually(async () => expect(await cacheHeader(`${gateway.url}/x`)).toBe('MISS'));

    fixture.nc.publish(subjects.invalidationCommands, new TextEncoder().encode('{not json'));
    await natsPub({ type: 'everything' });
    await natsPub({ type: 'all' });

    await eventually(async () => expect(await cacheHeader(`${gateway.url}/x`)).toBe('MISS'));
    const metrics = await (await fetch(`${fixture.system.invalidation.url}/metrics`)).text();
    expect(metrics).toMatch(/cairn_invalidation_rejected_total\{source="nats",reason="not-json"\} 1/);
    expect(metrics).toMatch(/cairn_invalidation_rejected_total\{source="nats",reason="invalid:type"\} 1/);
  });
});
