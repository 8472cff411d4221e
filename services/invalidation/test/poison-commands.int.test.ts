/**
 * Commands that cannot be applied never stall the queue (#9): subjects stay bounded for
 * any key, and a command whose event cannot be published is dead-lettered after a bounded
 * number of deliveries (or at once when it never can be), then taken off the queue.
 */
import {
  commandDeadLetterSchema,
  encodeMessage,
  headers,
  INVALIDATION_PUBLISHER,
  streamConfigs,
  streamNames,
  subjects,
  type CommandDeadLetter,
} from '@cairn/shared';
import { eventually } from '@cairn/testing';
import { AckPolicy } from 'nats';
import { describe, expect, it } from 'vitest';
import { COMMAND_CONSUMER } from '../src/command-consumer.js';
import { useInvalidationService } from './invalidation-harness.js';

describe('poison commands', () => {
  const svc = useInvalidationService();
  const { start, metrics } = svc;
  const pub = async (command: unknown) => {
    await svc.nc.jetstream().publish(subjects.invalidationCommands, encodeMessage(command));
  };
  const lastOn = async (stream: string, subject: string) => (await svc.nc.jetstreamManager()).streams.getMessage(stream, { last_by_subj: subject });
  const deadLetters = async (): Promise<CommandDeadLetter[]> => {
    const jsm = await svc.nc.jetstreamManager();
    const { state } = await jsm.streams.info(streamNames.deadLetters);
    const records: CommandDeadLetter[] = [];
    for (let seq = state.first_seq; seq <= state.last_seq && state.messages > 0; seq++) {
      records.push(commandDeadLetterSchema.parse((await jsm.streams.getMessage(streamNames.deadLetters, { seq })).json()));
    }
    return records;
  };
  const queueDrained = async () => {
    const info = await (await svc.nc.jetstreamManager()).consumers.info(streamNames.commands, COMMAND_CONSUMER);
    expect(info.num_pending + info.num_ack_pending).toBe(0);
    expect((await (await svc.nc.jetstreamManager()).streams.info(streamNames.commands)).state.messages).toBe(0);
  };


  it('publishes an 8 KB url command on a bounded subject with the whole URL in the payload, and keeps working (#9)', async () => {
    await start();
    const url = `/search?q=${'x'.repeat(8170)}`;
    expect(url.length).toBeGreaterThanOrEqual(8180);
    await pub({ type: 'url', url });
    await pub({ type: 'cacheTag', cacheTag: 'behind' });

    const subject = subjects.invalidation('url', 'all', url);
    expect(subject.length).toBeLessThan(128);
    const stored = await eventually(() => lastOn(streamNames.invalidations, subject));
    expect(stored.json()).toMatchObject({ kind: 'url', key: url });
    expect(stored.header.get(headers.natsPublisher)).toBe(INVALIDATION_PUBLISHER);
    await eventually(() => lastOn(streamNames.invalidations, subjects.invalidation('tag', 'all', 'behind')));
    await eventually(queueDrained);
  });

  it('keeps one message per long key: a second purge of the same 8 KB URL replaces the first (#9)', async () => {
    const { url: base } = await start();
    const url = `/a?q=${'y'.repeat(8000)}`;
    for (let i = 0; i < 2; i++) {
      const response = await fetch(`${base}/cache/invalidate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ type: 'url', url }) });
      expect(response.status).toBe(200);
    }
    const info = await (await svc.nc.jetstreamManager()).streams.info(streamNames.invalidations, { subjects_filter: subjects.invalidation('url', 'all', url) });
    expect(info.state.messages).toBe(1);
  });

  it('dead-letters a command whose event can never be published and applies the ones behind it (#9)', async () => {
    await start();
    // The stream now refuses any event above 2 KB: an 4 KB URL's event can never be stored.
    const jsm = await svc.nc.jetstreamManager();
    const config = streamConfigs({ replicas: 1, invalidationRetentionMs: 86_400_000 }).find((c) => c.name === streamNames.invalidations)!;
    await jsm.streams.update(streamNames.invalidations, { ...config, max_msg_size: 2048 });
    const url = `/big?q=${'z'.repeat(4000)}`;
    await pub({ type: 'url', url });
    await pub({ type: 'cacheTag', cacheTag: 'after-the-poison' });

    await eventually(() => lastOn(streamNames.invalidations, subjects.invalidation('tag', 'all', 'after-the-poison')));
    const [record] = await eventually(async () => {
      const records = await deadLetters();
      expect(records).toHaveLength(1);
      return records;
    });
    expect(record).toMatchObject({ stream: streamNames.commands, reason: 'unrecoverable', attempts: 1, truncated: false });
    expect(JSON.parse(record!.payload)).toEqual({ type: 'url', url });
    expect(record!.error).toMatch(/maximum/);
    await eventually(queueDrained);
    expect(await metrics()).toMatch(/cairn_invalidation_dead_letters_total\{reason="unrecoverable"\} 1/);
  });

  it('dead-letters a command after COMMAND_MAX_ATTEMPTS deliveries when its publish keeps failing, then goes on (#9)', async () => {
    await start({ COMMAND_MAX_ATTEMPTS: '2' });
    const jsm = await svc.nc.jetstreamManager();
    await jsm.streams.delete(streamNames.invalidations);
    await pub({ type: 'cacheTag', cacheTag: 'lost' });

    const [record] = await eventually(
      async () => {
        const records = await deadLetters();
        expect(records).toHaveLength(1);
        return records;
      },
      { timeoutMs: 20_000, intervalMs: 200 },
    );
    expect(record).toMatchObject({ reason: 'attempts-exhausted', attempts: 2 });
    await eventually(queueDrained);

    await jsm.streams.add(streamConfigs({ replicas: 1, invalidationRetentionMs: 86_400_000 }).find((c) => c.name === streamNames.invalidations)!);
    await pub({ type: 'cacheTag', cacheTag: 'next' });
    await eventually(() => lastOn(streamNames.invalidations, subjects.invalidation('tag', 'all', 'next')), { timeoutMs: 10_000 });
    expect(await metrics()).toMatch(/cairn_invalidation_dead_letters_total\{reason="attempts-exhausted"\} 1/);
  }, 40_000);

  it('loses no command while neither its event nor its dead letter can be written: it is kept and recorded once JetStream is back (#9)', async () => {
    await start({ COMMAND_MAX_ATTEMPTS: '2' });
    const jsm = await svc.nc.jetstreamManager();
    const configs = streamConfigs({ replicas: 1, invalidationRetentionMs: 86_400_000 });
    await jsm.streams.delete(streamNames.invalidations);
    await jsm.streams.delete(streamNames.deadLetters);
    await pub({ type: 'cacheTag', cacheTag: 'kept' });
    // Past COMMAND_MAX_ATTEMPTS and three failed dead-letter writes (an earlier version dropped
    // the command at the third): nothing may drop it.
    await eventually(async () => expect(await metrics()).toMatch(/cairn_invalidation_dead_letter_failures_total [3-9]/), { timeoutMs: 15_000, intervalMs: 200 });
    for (const name of [streamNames.invalidations, streamNames.deadLetters]) await jsm.streams.add(configs.find((c) => c.name === name)!);

    const [record] = await eventually(
      async () => {
        const records = await deadLetters();
        expect(records).toHaveLength(1);
        return records;
      },
      { timeoutMs: 20_000, intervalMs: 200 },
    );
    expect(JSON.parse(record!.payload)).toEqual({ type: 'cacheTag', cacheTag: 'kept' });
    await eventually(queueDrained);
  }, 50_000);

  it('dead-letters a command whose earlier deliveries ended without an outcome, instead of trying it again (#9)', async () => {
    await start({ COMMAND_MAX_ATTEMPTS: '2' });
    await svc.stop();
    await pub({ type: 'cacheTag', cacheTag: 'crashed-twice' });
    // Two deliveries the service never concluded, as when it dies handling them (a nak
    // here only returns them without waiting for ack_wait).
    const consumer = await svc.nc.jetstream().consumers.get(streamNames.commands, COMMAND_CONSUMER);
    for (let i = 0; i < 2; i++) {
      const msg = await consumer.next({ expires: 2000 });
      expect(msg?.info.deliveryCount).toBe(i + 1);
      msg?.nak();
    }
    await start({ COMMAND_MAX_ATTEMPTS: '2' });

    await eventually(async () => expect(await deadLetters()).toMatchObject([{ reason: 'attempts-exhausted', attempts: 3 }]));
    await eventually(queueDrained);
    const { state } = await (await svc.nc.jetstreamManager()).streams.info(streamNames.invalidations);
    expect(state.messages).toBe(0);
  });

  it('bounds max_deliver on a command consumer created without it (#9)', async () => {
    await start();
    await svc.stop();
    const jsm = await svc.nc.jetstreamManager();
    await jsm.consumers.delete(streamNames.commands, COMMAND_CONSUMER);
    await jsm.consumers.add(streamNames.commands, { durable_name: COMMAND_CONSUMER, ack_policy: AckPolicy.Explicit });
    await start({ COMMAND_MAX_ATTEMPTS: '4' });
    expect((await jsm.consumers.info(streamNames.commands, COMMAND_CONSUMER)).config.max_deliver).toBe(14);
  });
});
