/**
 * Gateways apply only the invalidation service's events (#9): an event without its
 * `Cairn-Publisher` mark, or on another subject than its payload names, is logged,
 * counted and skipped, live and at replay. The key always comes from the payload.
 */
import { encodeMessage, headers, INVALIDATION_PUBLISHER, subjects } from '@cairn/shared';
import { eventually } from '@cairn/testing';
import { headers as natsHeaders } from 'nats';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { outcome, startGatewayHarness, type GatewayHarness } from './gateway-harness.js';

describe('untrusted invalidation events', () => {
  let h: GatewayHarness;
  const get = (path: string) => fetch(`${h.gateway.url}${path}`);
  const appliedSeq = async () =>
    ((await (await fetch(`${h.gateway.adminUrl}/ready`)).json()) as { invalidations: { appliedSeq: number } }).invalidations.appliedSeq;
  const event = (kind: string, cache: string, key?: string) => ({ id: `x-${kind}-${key}`, kind, cache, key, mode: 'hard', issuedAt: new Date().toISOString(), source: 'nats' });
  const publishRaw = async (subject: string, payload: unknown, marked: boolean) => {
    const h2 = natsHeaders();
    if (marked) h2.set(headers.natsPublisher, INVALIDATION_PUBLISHER);
    return (await h.nc.jetstream().publish(subject, encodeMessage(payload), { headers: h2 })).seq;
  };

  beforeEach(async () => {
    h = await startGatewayHarness();
    await h.applyRule({ id: 'all', pathPatterns: ['^/.*$'], ttl: '1h' });
    await eventually(async () => expect(await outcome(get('/kept'))).toBe('MISS'));
    expect(await outcome(get('/kept'))).toBe('HIT');
  });
  afterEach(async () => {
    await h.close();
  });

  it('skips and counts an event the invalidation service did not write, live and after a restart (#9)', async () => {
    const seq = await publishRaw(subjects.invalidation('scope', 'page', undefined), event('scope', 'page'), false);
    await eventually(async () => expect(await appliedSeq()).toBe(seq));
    expect(await outcome(get('/kept'))).toBe('HIT');
    expect(await h.metric('cairn_gateway_untrusted_events_total')).toMatch(/stream="CACHE_INVALIDATIONS"} 1/);

    await h.gateway.close();
    h.gateway = await h.start();
    expect(await outcome(get('/kept'))).toBe('HIT');
    expect(await h.metric('cairn_gateway_untrusted_events_total')).toMatch(/stream="CACHE_INVALIDATIONS"} 1/);
  });

  it('skips an event whose subject does not match its payload (#9)', async () => {
    // Marked, but a page-wide purge filed under a tag's subject.
    const seq = await publishRaw(subjects.invalidation('tag', 'all', 'other'), event('scope', 'page'), true);
    await eventually(async () => expect(await appliedSeq()).toBe(seq));
    expect(await outcome(get('/kept'))).toBe('HIT');
    expect(await h.metric('cairn_gateway_untrusted_events_total')).toMatch(/stream="CACHE_INVALIDATIONS"} 1/);
  });

  it('applies a marked url event with an 8 KB key taken from the payload, on its hashed subject (#9)', async () => {
    const path = `/long?q=${'l'.repeat(8180)}`;
    expect(await outcome(get(path))).toBe('MISS');
    expect(await outcome(get(path))).toBe('HIT');
    const subject = subjects.invalidation('url', 'all', path);
    expect(subject.length).toBeLessThan(128);
    const seq = await publishRaw(subject, event('url', 'all', path), true);
    await eventually(async () => expect(await appliedSeq()).toBe(seq));
    expect(await outcome(get(path))).toBe('MISS');
    expect(await outcome(get('/kept'))).toBe('HIT');
  });
});
