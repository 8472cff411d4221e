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
    try {
      await service?.close();
      await nc.close();
    } finally {
      await cluster.stop();
    }
  });

  const consumerLeader = async (jsm: JetStreamManager) => (await jsm.consumers.info(streamNames.commands, COMMAND_CONSUMER)).cluster?.leader;

  const invalidateTag = async (tag: string) => {
    // JetStream answers no publish while the stream elects a leader: retried, de-duplicated by msgID.
    await eventually(() => nc.jetstream().publish(subjects.invalidationCommands, encodeMessage({ type: 'cacheTag', cacheTag: tag }), { msgID: tag }), { timeoutMs: 15_000, intervalMs: 250 });
  };

  const eventFor = async (jsm: JetStreamManager, tag: string) =>
    (await jsm.streams.getMessage(streamNames.invalidations, { last_by_subj: subjects.invalidation('tag', 'all', tag) })).json<Record<string, unknown>>();

  it('turns a command published after the consumer leader dies into an invalidation event (issue 12)', async () => {
    // Service and test client stay on one node, so what is lost is the consumer's leader, not
    // a connection. The durable consumer keeps its leader when the service stops, so a service
    // that landed on the leader's node is started again on another one.
    let leader: ClusterNode | undefined;
    for (const client of cluster.servers) {
      nc = await connect({ servers: client.url, ignoreClusterUpdates: true });
      service = await startInvalidationService(
        loadInvalidationConfig({ NATS_URL: client.url, NATS_REPLICAS: '3', AUTH_REQUIRED: 'false', HOST: '127.0.0.1', PORT: '0' }),
        createLogger('invalidation', process.env.TEST_LOG_LEVEL ?? 'silent'),
      );
      const name = await eventually(async () => (await consumerLeader(await nc.jetstreamManager())) ?? Promise.reject(new Error('the command consumer has no leader')));
      if (name !== client.name) {
        leader = cluster.server(name);
        break;
      }
      await service.close();
      service = undefined;
      await nc.close();
    }
    if (leader === undefined) throw new Error('the command consumer was led from every node the service started on');
    const jsm = await nc.jetstreamManager();
    // Replicated with its R3 stream (num_replicas 0 inherits it): a leader and two followers.
    expect((await jsm.consumers.info(streamNames.commands, COMMAND_CONSUMER)).cluster?.replicas).toHaveLength(2);

    await invalidateTag('before');
    await eventually(async () => expect(await eventFor(jsm, 'before')).toMatchObject({ key: 'before' }));
    await leader.kill();
    await invalidateTag('after');

    await eventually(async () => expect(await eventFor(jsm, 'after')).toMatchObject({ kind: 'tag', key: 'after' }), { timeoutMs: 40_000, intervalMs: 250 });
  }, 60_000);
});
