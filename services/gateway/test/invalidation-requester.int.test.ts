/**
 * What a PURGE sends on NATS and how it reads the answer (README, PURGE; #11): a command on
 * `cache.invalidate` with a `Cairn-Reply-To` inbox and the requester's name, awaited for a
 * bounded time. A real nats-server; the invalidation service's part is played by hand here
 * (test/e2e/purge.e2e.test.ts runs the real one).
 */
import { createLogger, encodeMessage, ensureStreams, headers, isAllowedReplySubject, streamNames, subjects } from '@cairn/shared';
import { startNatsServer, type NatsServer } from '@cairn/testing';
import { connect, type Msg, type NatsConnection } from 'nats';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { InvalidationRequester } from '../src/control/invalidation-requester.js';

describe('invalidation requests', () => {
  let nats: NatsServer;
  let nc: NatsConnection;
  let requester: InvalidationRequester;
  const answering: Array<{ unsubscribe(): void }> = [];
  /** Plays the invalidation service: sees each command and answers it with `answer(msg)`. */
  const serve = (answer: (msg: Msg) => unknown) =>
    answering.push(
      nc.subscribe(subjects.invalidationCommands, {
        callback: (_err, msg) => {
          const replyTo = msg.headers?.get(headers.natsReplyTo) ?? '';
          const body = answer(msg);
          nc.publish(replyTo, body instanceof Uint8Array ? body : encodeMessage(body));
        },
      }),
    );

  beforeAll(async () => {
    nats = await startNatsServer();
    nc = await connect({ servers: nats.url });
    await ensureStreams(await nc.jetstreamManager(), { replicas: 1, invalidationRetentionMs: 24 * 3600_000 }, createLogger('test', 'silent'));
    requester = new InvalidationRequester(nc);
  });
  afterEach(() => {
    for (const subscription of answering.splice(0)) subscription.unsubscribe();
  });
  afterAll(async () => {
    await nc.close();
    await nats.stop();
  });

  it('sends the command with an allowed reply inbox and the requester, and returns the report it gets (#11)', async () => {
    const seen: Array<{ command: unknown; replyTo: string; requestedBy: string }> = [];
    serve((msg) => {
      seen.push({ command: msg.json(), replyTo: msg.headers?.get(headers.natsReplyTo) ?? '', requestedBy: msg.headers?.get(headers.natsRequestedBy) ?? '' });
      return { id: 'cmd-1', sequence: 7, acknowledgedBy: ['g1'], pending: [], deleted: 2, event: { id: 'cmd-1', kind: 'url', cache: 'all', key: '/a', mode: 'hard', issuedAt: new Date().toISOString(), source: 'nats' } };
    });
    const result = await requester.request({ type: 'url', url: '/a?x=1' }, 'alice', 2000);
    expect(result).toEqual({ kind: 'confirmed', report: { id: 'cmd-1', sequence: 7, acknowledgedBy: ['g1'], pending: [], deleted: 2 } });
    expect(seen).toHaveLength(1);
    expect(seen[0]?.command).toEqual({ type: 'url', url: '/a?x=1' });
    expect(isAllowedReplySubject(seen[0]?.replyTo ?? '')).toBe(true);
    expect(seen[0]?.requestedBy).toBe('alice');
  });

  it('sends no requester when there is none, and returns the service error it gets (#11)', async () => {
    const requesters: Array<string | undefined> = [];
    serve((msg) => {
      requesters.push(msg.headers?.get(headers.natsRequestedBy) || undefined);
      return { error: 'CAIRN_COMMAND_DEAD_LETTERED', message: 'the command could not be applied', reason: 'unrecoverable' };
    });
    expect(await requester.request({ type: 'url', url: '/b' }, undefined, 2000)).toEqual({ kind: 'failed', problem: 'CAIRN_COMMAND_DEAD_LETTERED' });
    expect(requesters).toEqual([undefined]);
  });

  it('reads a reply that does not decode as a failure (#11)', async () => {
    serve(() => new TextEncoder().encode('not json'));
    expect(await requester.request({ type: 'url', url: '/c' }, 'alice', 2000)).toMatchObject({ kind: 'failed', problem: 'malformed-reply' });
  });

  it('gives up after the timeout when nobody answers (#11)', async () => {
    expect(await requester.request({ type: 'url', url: '/d' }, 'alice', 200)).toEqual({ kind: 'timeout' });
  });

  it('fails at once when JetStream does not take the command (#11)', async () => {
    const jsm = await nc.jetstreamManager();
    const { config } = await jsm.streams.info(streamNames.commands);
    await jsm.streams.delete(config.name);
    try {
      expect(await requester.request({ type: 'url', url: '/e' }, 'alice', 2000)).toMatchObject({ kind: 'failed', problem: 'not-queued' });
    } finally {
      await jsm.streams.add(config);
    }
  });
});
