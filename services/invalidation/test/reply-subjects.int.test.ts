/**
 * `Cairn-Reply-To` answers only inboxes (#9): a reply aimed at a stream subject would be
 * stored by JetStream (an invalidation subject's latest state is its purge), so it is
 * refused, logged and counted, and the command is still processed.
 */
import { encodeMessage, headers, INVALIDATION_PUBLISHER, streamNames, subjects } from '@cairn/shared';
import { eventually } from '@cairn/testing';
import { createInbox, headers as natsHeaders } from 'nats';
import { describe, expect, it } from 'vitest';
import { useInvalidationService } from './invalidation-harness.js';

describe('reply subjects', () => {
  const svc = useInvalidationService({ started: true });
  const send = (command: unknown, replyTo: string) => {
    const h = natsHeaders();
    h.set(headers.natsReplyTo, replyTo);
    svc.nc.publish(subjects.invalidationCommands, encodeMessage(command), { headers: h });
  };
  const lastOn = async (subject: string) => (await svc.nc.jetstreamManager()).streams.getMessage(streamNames.invalidations, { last_by_subj: subject });


  it('refuses a reply aimed at an invalidation subject, leaves the purge stored there intact and still applies the command (#9)', async () => {
    const purge = subjects.invalidation('scope', 'page', undefined);
    send({ type: 'page' }, createInbox());
    const purged = await eventually(() => lastOn(purge));

    send({ type: 'cacheTag', cacheTag: 'innocent' }, purge);
    send({ type: 'cacheTag' }, purge);
    await eventually(() => lastOn(subjects.invalidation('tag', 'all', 'innocent')));
    await eventually(async () => {
      const metrics = await (await fetch(`${svc.service.url}/metrics`)).text();
      expect(metrics).toMatch(/cairn_invalidation_replies_refused_total 2/);
      expect(metrics).toMatch(/cairn_invalidation_malformed_messages_total\{subject="cache.invalidate"\} 1/);
    });

    const still = await lastOn(purge);
    expect(still.seq).toBe(purged.seq);
    expect(still.header.get(headers.natsPublisher)).toBe(INVALIDATION_PUBLISHER);
    expect(still.json()).toMatchObject({ kind: 'scope', cache: 'page' });
  });

  it.each(['cache.rules.r1', 'cache.invalidate', '_INBOX.*', 'elsewhere.subject'])('refuses the reply subject %j and counts it (#9)', async (replyTo) => {
    send({ type: 'api' }, replyTo);
    await eventually(() => lastOn(subjects.invalidation('scope', 'api', undefined)));
    await eventually(async () => expect(await (await fetch(`${svc.service.url}/metrics`)).text()).toMatch(/cairn_invalidation_replies_refused_total 1/));
  });

  it('answers on a cache.replies subject (#9)', async () => {
    const replies = svc.nc.subscribe('cache.replies.ops.1', { max: 1 });
    send({ type: 'cacheTag', cacheTag: 'answered' }, 'cache.replies.ops.1');
    for await (const msg of replies) expect(msg.json()).toMatchObject({ event: { kind: 'tag', key: 'answered' } });
  });
});
