import { encodeMessage, streamNames, subjects } from '@cairn/shared';
import { eventually } from '@cairn/testing';
import { describe, expect, it } from 'vitest';
import { COMMAND_CONSUMER } from '../src/command-consumer.js';
import { useInvalidationService } from './invalidation-harness.js';

describe('invalidation service', () => {
  const svc = useInvalidationService();
  const { start } = svc;
  const lastEvent = async (subject: string) => {
    const jsm = await svc.nc.jetstreamManager();
    return (await jsm.streams.getMessage(streamNames.invalidations, { last_by_subj: subject })).json<Record<string, unknown>>();
  };


  it('publishes a REST command as a normalized event and answers with its sequence', async () => {
    const { url } = await start();
    const response = await fetch(`${url}/cache/invalidate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'page', groupCode: 'shoes' }),
    });
    // No gateway is live, so there is nobody to wait for.
    expect(response.status).toBe(200);
    const body = (await response.json()) as { id: string; sequence: number };
    expect(body).toMatchObject({ acknowledgedBy: [], pending: [], deleted: 0 });
    expect(body.sequence).toBeGreaterThan(0);
    expect(await lastEvent(subjects.invalidation('group', 'page', 'shoes'))).toMatchObject({ id: body.id, kind: 'group', cache: 'page', key: 'shoes' });
  });

  it('counts and drops malformed heartbeats and acknowledgements, and keeps tracking valid ones', async () => {
    const { url } = await start();
    svc.nc.publish(subjects.gatewayHeartbeats, new TextEncoder().encode('{"gatewayId": 5}'));
    svc.nc.publish(subjects.invalidationAcks, new TextEncoder().encode('not json'));
    svc.nc.publish(subjects.gatewayHeartbeats, encodeMessage({ gatewayId: 'g9', appliedSeq: 3, mode: 'normal', sentAt: new Date().toISOString() }));
    await eventually(async () => {
      const metrics = await (await fetch(`${url}/metrics`)).text();
      expect(metrics).toMatch(/cairn_invalidation_malformed_messages_total\{subject="cache.gateways.heartbeat"\} 1/);
      expect(metrics).toMatch(/cairn_invalidation_malformed_messages_total\{subject="cache.acks.invalidation"\} 1/);
      expect(await (await fetch(`${url}/gateways`)).json()).toMatchObject({ gateways: [{ gatewayId: 'g9', appliedSeq: 3 }] });
    });
  });

  it('answers 202 at once for runAsync', async () => {
    const { url } = await start();
    const response = await fetch(`${url}/cache/invalidate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'all', runAsync: true }),
    });
    expect(response.status).toBe(202);
    expect(await response.json()).toMatchObject({ event: { kind: 'scope', cache: 'all', mode: 'hard' } });
  });

  it('answers 404 for the report of an invalidation it never saw', async () => {
    const { url } = await start();
    expect((await fetch(`${url}/cache/invalidate/nope`)).status).toBe(404);
  });

  it('answers 400 naming the field for an invalid REST command', async () => {
    const { url } = await start();
    const response = await fetch(`${url}/cache/invalidate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'cacheTag' }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'CAIRN_VALIDATION_FAILED', field: 'cacheTag' });
  });

  it('acknowledges and counts malformed NATS commands without blocking the queue', async () => {
    const { url } = await start();
    svc.nc.publish(subjects.invalidationCommands, new TextEncoder().encode('not json'));
    svc.nc.publish(subjects.invalidationCommands, encodeMessage({ type: 'cacheTag' }));
    svc.nc.publish(subjects.invalidationCommands, encodeMessage({ type: 'cacheTag', cacheTag: 'after' }));
    await eventually(async () => expect(await lastEvent(subjects.invalidation('tag', 'all', 'after'))).toMatchObject({ key: 'after' }));
    const jsm = await svc.nc.jetstreamManager();
    await eventually(async () => {
      const info = await jsm.consumers.info(streamNames.commands, COMMAND_CONSUMER);
      expect(info.num_pending + info.num_ack_pending).toBe(0);
    });
    expect(await (await fetch(`${url}/metrics`)).text()).toMatch(/cairn_invalidation_malformed_messages_total\{subject="cache.invalidate"\} 2/);
  });

  it('applies a command published while the service was down once it starts', async () => {
    await start();
    await svc.stop();
    const js = svc.nc.jetstream();
    await js.publish(subjects.invalidationCommands, encodeMessage({ type: 'api' }));
    await start();
    await eventually(async () => expect(await lastEvent(subjects.invalidation('scope', 'api', undefined))).toMatchObject({ kind: 'scope', cache: 'api' }));
  });
});
