import { createLogger, encodeMessage, streamNames, subjects } from '@cairn/shared';
import { eventually, startNatsCluster, type ClusterNode, type NatsCluster } from '@cairn/testing';
import { connect, type JetStreamManager, type NatsConnection } from 'nats';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { COMMAND_CONSUMER } from '../src/command-consumer.js';
import { loadInvalidationConfig } from '../src/config.js';
import { startInvalidationService, type InvalidationService } from '../src/server.js';

describe('command consumer on a three-node cluster', () => {
  let cluster: NatsCluster;
  let nc: NatsConnection;
  let service: InvalidationService | undefined;

  beforeEach(async () => {
    cluster = await startNatsCluster({ size: 3 });
  });
  afterEach(async () => {
    await service?.close();
    await nc.close();
    await cluster.stop();
  });

  const consumerLeader = async (jsm: JetStreamManager) => (await jsm.consumers.info(streamNames.commands, COMMAND_CONSUMER)).cluster?.leader;

  const invalidateTag = async (tag: string) => {
    // JetStream answers no publish while the stream elects a leader: retried, de-duplicated by msgID.
    await eventually(() => nc.jetstream().publish(subjects.invalidationCommands, encodeMessage({ type: 'cacheTag', cacheTag: tag }), { msgID: tag }), { timeoutMs: 15_000, intervalMs: 250 });
  };

  const eventFor = async (jsm: JetStreamManager, tag: string) =>
    (await jsm.streams.getMessage(streamNames.invalidations, { last_by_subj: subjects.invalidation('tag', 'all', tag) })).json<Record<string, unknown>>();

  it('turns a command published after the consumer leader dies into an invalidation event (issue 12)', async () => {
    // Service and test client stay on one node, so what is lost is the consumer's leader, not a connection.
    const client = cluster.servers[0] as ClusterNode;
    nc = await connect({ servers: client.url, ignoreClusterUpdates: true });
    service = await startInvalidationService(
      loadInvalidationConfig({ NATS_URL: client.url, NATS_REPLICAS: '3', AUTH_REQUIRED: 'false', HOST: '127.0.0.1', PORT: '0' }),
      createLogger('invalidation', process.env.TEST_LOG_LEVEL ?? 'silent'),
    );
    const jsm = await nc.jetstreamManager();
    expect((await jsm.consumers.info(streamNames.commands, COMMAND_CONSUMER)).config.num_replicas).not.toBe(1);
    // Moves the consumer's leadership off the client's node when it starts there.
    const leaderName = await eventually(async () => {
      const name = await consumerLeader(jsm);
      if (name !== undefined && name !== client.name) return name;
      if (name === client.name) await nc.request(`$JS.API.CONSUMER.LEADER.STEPDOWN.${streamNames.commands}.${COMMAND_CONSUMER}`);
      throw new Error(`the command consumer is led from ${name ?? 'no node'}`);
    }, { timeoutMs: 15_000, intervalMs: 500 });
    const leader = cluster.server(leaderName);

    await invalidateTag('before');
    // A stepped-down leader loses the pull it held, as a dead one does: up to PULL_EXPIRES_MS.
    await eventually(async () => expect(await eventFor(jsm, 'before')).toMatchObject({ key: 'before' }), { timeoutMs: 15_000, intervalMs: 250 });
    await leader.kill();
    await invalidateTag('after');

    await eventually(async () => expect(await eventFor(jsm, 'after')).toMatchObject({ kind: 'tag', key: 'after' }), { timeoutMs: 20_000, intervalMs: 250 });
  });
});
