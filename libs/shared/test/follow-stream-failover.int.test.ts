import { eventually, startNatsCluster, type ClusterNode, type NatsCluster } from '@cairn/testing';
import { connect, type JetStreamManager, type JsMsg, type NatsConnection } from 'nats';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger, encodeMessage, ensureStreams, StreamFollower, streamNames, subjects } from '../src/index.js';

// An ordered consumer is R1 and JetStream places it on any of the stream's peers (seen on
// nats-server 2.9: neither the client's node nor the stream leader), so each attempt reads
// where it landed and tries again from another node when it landed on the client's own.
const PLACEMENT_ATTEMPTS = 8;

describe('StreamFollower on a three-node cluster', () => {
  let cluster: NatsCluster;
  let nc: NatsConnection | undefined;
  let follower: StreamFollower | undefined;
  const logger = createLogger('test', process.env.TEST_LOG_LEVEL ?? 'silent');

  beforeEach(async () => {
    cluster = await startNatsCluster({ size: 3 });
  });
  afterEach(async () => {
    try {
      await follower?.stop();
      await nc?.close();
    } finally {
      await cluster.stop();
    }
  });

  const consumerNames = async (jsm: JetStreamManager) => new Set((await jsm.consumers.list(streamNames.rules).next()).map((c) => c.name));

  /** Starts a follower whose client is on one node and whose consumer is on another; returns both nodes. */
  const followOffClientNode = async (seen: JsMsg[]): Promise<{ client: ClusterNode; holder: ClusterNode; jsm: JetStreamManager }> => {
    for (let attempt = 0; attempt < PLACEMENT_ATTEMPTS; attempt++) {
      const client = cluster.servers[attempt % cluster.servers.length] as ClusterNode;
      // One server only: the follower's connection must never move, so only the consumer is lost.
      nc = await connect({ servers: client.url, ignoreClusterUpdates: true });
      const jsm = await nc.jetstreamManager();
      await ensureStreams(jsm, { replicas: 3, invalidationRetentionMs: 86_400_000 }, logger, [streamNames.rules]);
      const before = await consumerNames(jsm);
      follower = new StreamFollower({
        nc,
        stream: streamNames.rules,
        filterSubject: subjects.allRules,
        logger,
        identityCheckMs: 500,
        onStart: () => undefined,
        onMessage: (msg) => seen.push(msg),
        onHandlerError: () => undefined,
      });
      await follower.start();
      const ours = (await jsm.consumers.list(streamNames.rules).next()).find((c) => !before.has(c.name));
      const holder = cluster.server(ours?.cluster?.leader ?? '');
      if (holder !== client) return { client, holder, jsm };
      await follower.stop();
      await nc.close();
      seen.length = 0;
    }
    throw new Error(`the ordered consumer landed on the client's node ${PLACEMENT_ATTEMPTS} times`);
  };

  it('keeps delivering new messages after the node holding its ordered consumer dies (issue 12)', async () => {
    const seen: JsMsg[] = [];
    const { holder, jsm } = await followOffClientNode(seen);
    const js = (nc as NatsConnection).jetstream();
    const before = await js.publish(subjects.rule('before'), encodeMessage({ v: 1 }));
    await eventually(() => expect(seen.map((m) => m.seq)).toContain(before.seq));

    // The stream stays answerable throughout: only the consumer is lost, not the stream's leader.
    if ((await jsm.streams.info(streamNames.rules)).cluster?.leader === holder.name) {
      await (nc as NatsConnection).request(`$JS.API.STREAM.LEADER.STEPDOWN.${streamNames.rules}`);
      await eventually(async () => {
        const leader = (await jsm.streams.info(streamNames.rules)).cluster?.leader;
        expect(leader === undefined || leader === holder.name).toBe(false);
      }, { timeoutMs: 10_000 });
    }
    await holder.kill();
    const after = await js.publish(subjects.rule('after'), encodeMessage({ v: 2 }));

    await eventually(() => expect(seen.map((m) => m.seq)).toContain(after.seq), { timeoutMs: 45_000, intervalMs: 100 });
    const seqs = seen.map((m) => m.seq);
    expect(seqs).toEqual([...new Set(seqs)].sort((a, b) => a - b));
    // Each replacement placed on the dead node costs one bounded attempt: room for several.
  }, 60_000);
});
