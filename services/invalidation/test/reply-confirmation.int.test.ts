/**
 * A NATS command naming a `Cairn-Reply-To` inbox is answered like `POST /cache/invalidate`
 * (README, Invalidation): once every gateway live at publish applied it, with
 * `acknowledgedBy`, `pending` and `deleted`; at once with `runAsync: true`. A gateway's
 * PURGE relies on it (#11).
 */
import { encodeMessage, headers, subjects } from '@cairn/shared';
import { eventually } from '@cairn/testing';
import { createInbox, headers as natsHeaders, type Msg } from 'nats';
import { describe, expect, it } from 'vitest';
import { useInvalidationService } from './invalidation-harness.js';

describe('confirmed NATS replies', () => {
  const svc = useInvalidationService();
  const heartbeat = (gatewayId: string) =>
    svc.nc.publish(subjects.gatewayHeartbeats, encodeMessage({ gatewayId, appliedSeq: 0, mode: 'normal', sentAt: new Date().toISOString() }));
  const liveGateways = async (count: number) =>
    eventually(async () => expect(((await (await fetch(`${svc.service.url}/gateways`)).json()) as { gateways: unknown[] }).gateways).toHaveLength(count));
  /** Sends the command with a reply inbox and returns the first reply. */
  const send = async (command: unknown): Promise<Msg> => {
    const inbox = createInbox();
    const replies = svc.nc.subscribe(inbox, { max: 1 });
    const h = natsHeaders();
    h.set(headers.natsReplyTo, inbox);
    svc.nc.publish(subjects.invalidationCommands, encodeMessage(command), { headers: h });
    for await (const msg of replies) return msg;
    throw new Error('no reply');
  };
  /** A fake gateway acknowledging every event it sees, as a live gateway does after applying it. */
  const acknowledgeAs = (gatewayId: string, deleted: number) =>
    svc.nc.subscribe(subjects.allInvalidations, {
      callback: (_err, msg) => {
        const event = msg.json<{ id: string }>();
        svc.nc.publish(subjects.invalidationAcks, encodeMessage({ eventId: event.id, seq: 1, gatewayId, deleted }));
      },
    });

  it('answers once the live gateways acknowledged, with who did and what they deleted (#11)', async () => {
    await svc.start();
    heartbeat('g1');
    heartbeat('g2');
    await liveGateways(2);
    const g1 = acknowledgeAs('g1', 2);
    const g2 = acknowledgeAs('g2', 3);
    const reply = (await send({ type: 'url', url: '/products/1' })).json();
    g1.unsubscribe();
    g2.unsubscribe();
    expect(reply).toMatchObject({ acknowledgedBy: ['g1', 'g2'], pending: [], deleted: 5, sequence: expect.any(Number), event: { kind: 'url', key: '/products/1' } });
  });

  it('names the gateways that did not acknowledge within ACK_TIMEOUT_MS as pending (#11)', async () => {
    await svc.start({ ACK_TIMEOUT_MS: '200' });
    heartbeat('g1');
    heartbeat('silent');
    await liveGateways(2);
    const g1 = acknowledgeAs('g1', 1);
    const reply = (await send({ type: 'cacheTag', cacheTag: 'news' })).json();
    g1.unsubscribe();
    expect(reply).toMatchObject({ acknowledgedBy: ['g1'], pending: ['silent'], deleted: 1 });
  });

  it('answers a runAsync command at once with its event and no report (#11)', async () => {
    await svc.start();
    heartbeat('silent');
    await liveGateways(1);
    const reply = (await send({ type: 'page', runAsync: true })).json<Record<string, unknown>>();
    expect(reply).toMatchObject({ sequence: expect.any(Number), event: { kind: 'scope', cache: 'page' } });
    expect(reply.acknowledgedBy).toBeUndefined();
  });
});
