import { startNatsServer, type NatsServer } from '@cairn/testing';
import { connect, type JsMsg, type NatsConnection } from 'nats';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger, encodeMessage, ensureStreams, StreamFollower, streamNames, subjects } from '../src/index.js';

describe('StreamFollower', () => {
  let nats: NatsServer;
  let nc: NatsConnection;
  const followers: StreamFollower[] = [];
  const logger = createLogger('test', 'silent');

  const follow = (filterSubject: string, seen: JsMsg[] = []) => {
    const follower = new StreamFollower({
      nc,
      stream: streamNames.rules,
      filterSubject,
      logger,
      identityCheckMs: 50,
      onStart: () => undefined,
      onMessage: (msg) => seen.push(msg),
      onHandlerError: () => undefined,
    });
    followers.push(follower);
    return follower;
  };

  beforeEach(async () => {
    nats = await startNatsServer();
    nc = await connect({ servers: nats.url });
    await ensureStreams(await nc.jetstreamManager(), { replicas: 1, invalidationRetentionMs: 86_400_000 }, logger);
  });
  afterEach(async () => {
    for (const follower of followers.splice(0)) await follower.stop();
    await nc.close();
    await nats.stop();
  });

  it('replays only the latest message per subject, then reports caught up', async () => {
    const js = nc.jetstream();
    await js.publish(subjects.rule('a'), encodeMessage({ v: 1 }));
    await js.publish(subjects.rule('a'), encodeMessage({ v: 2 }));
    const last = await js.publish(subjects.rule('b'), encodeMessage({ v: 1 }));
    const seen: JsMsg[] = [];
    const follower = follow(subjects.allRules, seen);
    await follower.start();
    await follower.caughtUp;
    expect(seen.map((m) => [m.subject, m.json<{ v: number }>().v])).toEqual([
      [subjects.rule('a'), 2],
      [subjects.rule('b'), 1],
    ]);
    expect(follower.lastSeq).toBe(last.seq);
  });

  it('reports caught up at once on an empty stream', async () => {
    const follower = follow(subjects.allRules);
    await follower.start();
    expect(follower.isCaughtUp).toBe(true);
  });

  it('reports caught up when the stream has messages but none match its filter', async () => {
    await nc.jetstream().publish(subjects.rule('other'), encodeMessage({}));
    const follower = follow(subjects.rule('wanted'));
    await follower.start();
    expect(follower.isCaughtUp).toBe(false);
    await follower.caughtUp;
    expect(follower.lastSeq).toBe(0);
  });
});
