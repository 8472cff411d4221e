/**
 * The gateway's PURGE method (README, PURGE): a fleet-wide `url` invalidation through the
 * invalidation service, confirmed like `POST /cache/invalidate`; never proxied, looked up or
 * stored. Rules and invalidation services, two gateways, one nats-server, a real origin.
 */
import { eventually } from '@cairn/testing';
import { describe, expect, it } from 'vitest';
import { cacheHeader, call, fillUntilHit, holds, putRule, useSystem } from './harness.js';

interface Confirmation {
  id: string;
  sequence: number;
  acknowledgedBy: string[];
  pending: string[];
  deleted: number;
}

describe('PURGE', () => {
  const fixture = useSystem();

  const purge = (base: string, path: string, body?: string) => fetch(`${base}${path}`, { method: 'PURGE', ...(body === undefined ? {} : { body }) });
  const warm = async (base: string, ...paths: string[]) => {
    for (const path of paths) await fillUntilHit(`${base}${path}`);
  };
  /** Both gateways are live to the invalidation service, so a confirmation waits for both. */
  const fleet = async () => {
    const g1 = await fixture.system.gateway('g1');
    const g2 = await fixture.system.gateway('g2');
    await putRule(fixture.system, 'all', { pathPatterns: ['^/.*$'], ttl: '1h' });
    await eventually(async () => {
      const { gateways } = (await (await call(fixture.system.invalidation.url, 'GET', '/gateways')).json()) as { gateways: Array<{ gatewayId: string }> };
      expect(gateways.map((g) => g.gatewayId).sort()).toEqual(['g1', 'g2']);
    });
    return { g1, g2 };
  };
  const metric = async (adminUrl: string, line: string) => (await (await fetch(`${adminUrl}/metrics`)).text()).split('\n').find((l) => l.startsWith(line));

  it('answers a PURGE of a stored URL with 200 and the acknowledgements of the fleet, after which every gateway misses (#11)', async () => {
    const { g1, g2 } = await fleet();
    await warm(g1.url, '/products/1?color=red', '/products/1?color=blue');
    await warm(g2.url, '/products/1?color=red', '/products/1?color=blue');
    const before = fixture.system.origin.count();

    const answer = await purge(g1.url, '/products/1', 'ignored body');
    expect(answer.status).toBe(200);
    expect(answer.headers.get('x-cairn-cache')).toBe('PASS');
    expect(answer.headers.get('cache-status')).toBe('cairn; detail=purge');
    const report = (await answer.json()) as Confirmation;
    expect(report).toMatchObject({ acknowledgedBy: ['g1', 'g2'], pending: [], deleted: 4 });
    expect(report.sequence).toEqual(expect.any(Number));
    // Neither the PURGE nor its body went to the origin.
    expect(fixture.system.origin.count()).toBe(before);

    // Confirmed means applied: no waiting needed on either gateway.
    for (const url of [`${g1.url}/products/1?color=red`, `${g1.url}/products/1?color=blue`, `${g2.url}/products/1?color=red`]) expect(await holds(url), url).toBe(false);
    expect(await cacheHeader(`${g1.url}/products/1?color=red`)).toBe('MISS');
    expect(await metric(g1.adminUrl, 'cairn_gateway_purges_total{result="confirmed"}')).toMatch(/ 1$/);
    expect(await metric(g1.adminUrl, 'cairn_gateway_requests_total{cache="page",outcome="PASS",reason="purge"}')).toMatch(/ 1$/);
  });

  it('purges only the variant a PURGE with a query names (#11)', async () => {
    const { g1, g2 } = await fleet();
    await warm(g1.url, '/list?page=2&sort=asc', '/list?page=3');
    await warm(g2.url, '/list?page=2&sort=asc');

    const answer = await purge(g2.url, '/list?sort=asc&page=2');
    expect(answer.status).toBe(200);
    expect(((await answer.json()) as Confirmation).acknowledgedBy).toEqual(['g1', 'g2']);

    expect(await holds(`${g1.url}/list?page=2&sort=asc`)).toBe(false);
    expect(await holds(`${g2.url}/list?page=2&sort=asc`)).toBe(false);
    expect(await cacheHeader(`${g1.url}/list?page=3`)).toBe('HIT');
  });

  it('never looks a PURGE up nor stores it: the same URL purged twice is confirmed twice and reaches no origin (#11)', async () => {
    const { g1, g2 } = await fleet();
    await warm(g1.url, '/twice');
    await warm(g2.url, '/twice');
    const before = fixture.system.origin.count();
    const first = (await (await purge(g1.url, '/twice')).json()) as Confirmation;
    const second = (await (await purge(g1.url, '/twice')).json()) as Confirmation;
    expect(second.sequence).toBeGreaterThan(first.sequence);
    expect([first.deleted, second.deleted]).toEqual([2, 0]);
    expect(fixture.system.origin.count()).toBe(before);
  });

  it('passes a PURGE of a reserved path to the origin untouched, as every request there (#11)', async () => {
    const gateway = await fixture.system.gateway('reserved', { RESERVED_PATHS: '/origin-admin' });
    const before = fixture.system.origin.count('/origin-admin');
    const answer = await purge(gateway.url, '/origin-admin');
    await answer.arrayBuffer();
    expect(answer.headers.get('cache-status')).toBe('cairn; fwd=bypass; fwd-status=200; detail=reserved-path');
    expect(fixture.system.origin.count('/origin-admin')).toBe(before + 1);
  });

  it('refuses with 400 a PURGE target longer than the invalidation command allows, asking nobody (#11)', async () => {
    const gateway = await fixture.system.gateway('long');
    const answer = await purge(gateway.url, `/${'a'.repeat(9000)}`);
    expect(answer.status).toBe(400);
    expect(answer.headers.get('cache-status')).toBe('cairn; detail=bad-request');
    expect(((await answer.json()) as { error: string }).error).toBe('CAIRN_VALIDATION_FAILED');
    expect(await metric(gateway.adminUrl, 'cairn_gateway_purges_total')).toBeUndefined();
  });

  it('answers 504 of its own, within PURGE_TIMEOUT_MS, when the invalidation service is down (#11)', async () => {
    const gateway = await fixture.system.gateway('alone', { PURGE_TIMEOUT_MS: '300' });
    await putRule(fixture.system, 'all', { pathPatterns: ['^/.*$'], ttl: '1h' });
    await warm(gateway.url, '/down');
    const service = fixture.system.invalidation;
    const close = service.close.bind(service);
    await close();
    // The system's own close must not close it again.
    service.close = async () => undefined;
    const before = fixture.system.origin.count();

    const answer = await purge(gateway.url, '/down', 'ignored body');
    expect(answer.status).toBe(504);
    expect(answer.headers.get('x-cairn-cache')).toBe('PASS');
    expect(answer.headers.get('cache-status')).toBe('cairn; detail=purge-timeout');
    expect(await answer.json()).toEqual({ error: 'CAIRN_PURGE_TIMEOUT', message: 'the invalidation was not confirmed in time' });
    expect(fixture.system.origin.count()).toBe(before);
    expect(await cacheHeader(`${gateway.url}/down`)).toBe('HIT');
    expect(await metric(gateway.adminUrl, 'cairn_gateway_purges_total{result="timeout"}')).toMatch(/ 1$/);
  });
});
