/**
 * Refresh invalidations (README, Active caching): a `mode: "refresh"` command becomes an event
 * naming one live gateway as `refreshBy`, the one that refetches the entries for the fleet;
 * with no live gateway the event names none and every gateway refreshes on demand. Refresh
 * events have their own subjects and are listed by their own mode.
 */
import { encodeMessage, streamNames, subjects, type InvalidationEvent } from '@cairn/shared';
import { eventually } from '@cairn/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { startGatewayFleet, type GatewayFleet } from './gateway-protocol-peer.js';
import { useInvalidationService } from './invalidation-harness.js';

describe('refresh invalidations', () => {
  const svc = useInvalidationService();
  let fleet: GatewayFleet | undefined;
  afterEach(() => {
    fleet?.stop();
    fleet = undefined;
  });

  const post = async (body: unknown): Promise<InvalidationEvent> => {
    const response = await fetch(`${svc.service.url}/cache/invalidate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...(body as object), runAsync: true }) });
    expect(response.status).toBe(202);
    return ((await response.json()) as { event: InvalidationEvent }).event;
  };
  const lastEvent = async (subject: string) => (await (await svc.nc.jetstreamManager()).streams.getMessage(streamNames.invalidations, { last_by_subj: subject })).json<InvalidationEvent>();
  const gateways = async (ids: string[], feedLost: string[] = []) => {
    fleet = startGatewayFleet(svc.nc, ids, undefined, { feedLost });
    await eventually(async () => expect(((await (await fetch(`${svc.service.url}/gateways`)).json()) as { gateways: unknown[] }).gateways).toHaveLength(ids.length));
  };

  it('names a live gateway as refreshBy on the event of a refresh command', async () => {
    await svc.start();
    await gateways(['gw-a', 'gw-b', 'gw-c']);
    const event = await post({ type: 'url', url: '/products/1', mode: 'refresh' });
    expect(event).toMatchObject({ kind: 'url', key: '/products/1', mode: 'refresh' });
    expect(['gw-a', 'gw-b', 'gw-c']).toContain(event.refreshBy);
    expect(await lastEvent(subjects.invalidation('url', 'all', '/products/1', 'refresh'))).toMatchObject({ id: event.id, mode: 'refresh', refreshBy: event.refreshBy });
  });

  it('names the same gateway for every refresh of one target while the fleet is the same', async () => {
    await svc.start();
    await gateways(['gw-a', 'gw-b', 'gw-c']);
    const chosen = new Set<string | undefined>();
    for (let i = 0; i < 3; i++) chosen.add((await post({ type: 'cacheTag', cacheTag: 'news', mode: 'refresh' })).refreshBy);
    expect(chosen.size).toBe(1);
  });

  it('names a gateway that follows its invalidation feed rather than one that lost it', async () => {
    await svc.start();
    await gateways(['gw-lost', 'gw-normal'], ['gw-lost']);
    for (let i = 0; i < 5; i++) expect((await post({ type: 'cacheTag', cacheTag: `t${i}`, mode: 'refresh' })).refreshBy).toBe('gw-normal');
  });

  it('publishes a refresh command without refreshBy when no gateway is live', async () => {
    await svc.start();
    const event = await post({ type: 'page', mode: 'refresh' });
    expect(event).toMatchObject({ kind: 'scope', cache: 'page', mode: 'refresh' });
    expect(event).not.toHaveProperty('refreshBy');
    expect(await lastEvent(subjects.invalidation('scope', 'page', undefined, 'refresh'))).not.toHaveProperty('refreshBy');
  });

  it('names refreshBy on a refresh command that arrives on NATS', async () => {
    await svc.start();
    await gateways(['gw-a']);
    await svc.nc.jetstream().publish(subjects.invalidationCommands, encodeMessage({ type: 'cacheTag', cacheTag: 'sale', mode: 'refresh' }));
    const event = await eventually(() => lastEvent(subjects.invalidation('tag', 'all', 'sale', 'refresh')));
    expect(event).toMatchObject({ mode: 'refresh', refreshBy: 'gw-a' });
  });

  it('names no refreshBy on hard and soft invalidations', async () => {
    await svc.start();
    await gateways(['gw-a']);
    expect(await post({ type: 'url', url: '/hard' })).not.toHaveProperty('refreshBy');
    expect(await post({ type: 'url', url: '/soft', mode: 'soft' })).not.toHaveProperty('refreshBy');
  });

  it('keeps an earlier soft purge of a target when the same target is refreshed later', async () => {
    await svc.start();
    const soft = await post({ type: 'cacheTag', cacheTag: 'both', mode: 'soft' });
    const refresh = await post({ type: 'cacheTag', cacheTag: 'both', mode: 'refresh' });
    await eventually(async () => expect((await lastEvent(subjects.invalidation('tag', 'all', 'both', 'refresh'))).id).toBe(refresh.id));
    expect((await lastEvent(subjects.invalidation('tag', 'all', 'both', 'soft'))).id).toBe(soft.id);
  });

  it('lists refresh events by their mode, apart from soft ones', async () => {
    await svc.start();
    await post({ type: 'cacheTag', cacheTag: 'soft-one', mode: 'soft' });
    await post({ type: 'cacheTag', cacheTag: 'refreshed', mode: 'refresh' });
    await post({ type: 'cacheTag', cacheTag: 'hard-one' });
    const list = async (query: string) => {
      const response = await fetch(`${svc.service.url}/cache/invalidations${query}`);
      expect(response.status).toBe(200);
      return ((await response.json()) as { events: Array<{ key: string; mode: string }> }).events.map((e) => [e.key, e.mode]);
    };
    expect(await list('?mode=refresh')).toEqual([['refreshed', 'refresh']]);
    expect(await list('?kind=tag&mode=refresh')).toEqual([['refreshed', 'refresh']]);
    expect(await list('?kind=tag&mode=soft')).toEqual([['soft-one', 'soft']]);
    expect(await list('?kind=tag')).toEqual([
      ['hard-one', 'hard'],
      ['refreshed', 'refresh'],
      ['soft-one', 'soft'],
    ]);
  });
});
