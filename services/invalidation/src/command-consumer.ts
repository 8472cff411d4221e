/**
 * Reads `cache.invalidate` with the durable pull consumer all instances share (each
 * command handled once; NATS-LMDB-NOTES §3). A malformed command is logged, counted and
 * acknowledged; a valid one is acknowledged only after its event is published.
 */
import { decodeMessage, encodeMessage, headers as cairnHeaders, invalidationCommandSchema, streamNames, subjects, type Logger } from '@cairn/shared';
import { AckPolicy, type ConsumerMessages, type JsMsg, type NatsConnection, type NatsError } from 'nats';
import { publishInvalidation } from './invalidation-publisher.js';
import type { InvalidationMetrics } from './metrics.js';
import { normalizeCommand } from './normalize-command.js';

export const COMMAND_CONSUMER = 'cairn-invalidation';
const CONSUMER_NAME_IN_USE = 10148;
/** Delay before a command whose publish failed is delivered again. */
const REDELIVER_DELAY_MS = 1000;

export class CommandConsumer {
  readonly #nc: NatsConnection;
  readonly #logger: Logger;
  readonly #metrics: InvalidationMetrics;
  #messages: ConsumerMessages | undefined;
  #done: Promise<void> | undefined;

  constructor(nc: NatsConnection, logger: Logger, metrics: InvalidationMetrics) {
    this.#nc = nc;
    this.#logger = logger;
    this.#metrics = metrics;
  }

  async start(): Promise<void> {
    const jsm = await this.#nc.jetstreamManager();
    try {
      await jsm.consumers.add(streamNames.commands, { durable_name: COMMAND_CONSUMER, ack_policy: AckPolicy.Explicit, ack_wait: 30e9 });
    } catch (err) {
      if ((err as NatsError).api_error?.err_code !== CONSUMER_NAME_IN_USE) throw err;
    }
    const consumer = await this.#nc.jetstream().consumers.get(streamNames.commands, COMMAND_CONSUMER);
    this.#messages = await consumer.consume({ max_messages: 100 });
    this.#done = this.#run(this.#messages);
    this.#logger.info({ consumer: COMMAND_CONSUMER }, 'command consumer started');
  }

  async stop(): Promise<void> {
    await this.#messages?.close();
    await this.#done;
  }

  async #run(messages: ConsumerMessages): Promise<void> {
    for await (const msg of messages) {
      try {
        await this.#handle(msg);
      } catch (err) {
        // A boundary: whatever went wrong, the command is retried later and the queue moves on.
        this.#logger.error({ err, subject: msg.subject, seq: msg.seq }, 'command handling failed');
        this.#metrics.publishFailures.inc();
        msg.nak(REDELIVER_DELAY_MS);
      }
    }
  }

  async #handle(msg: JsMsg): Promise<void> {
    const replyTo = msg.headers?.get(cairnHeaders.natsReplyTo) || undefined;
    const decoded = decodeMessage(invalidationCommandSchema, msg.data);
    if (!decoded.ok) {
      this.#logger.warn({ subject: msg.subject, seq: msg.seq, issues: decoded.error }, 'malformed message');
      this.#metrics.malformedMessages.inc({ subject: subjects.invalidationCommands });
      this.#metrics.rejected.inc({ source: 'nats', reason: decoded.reason });
      this.#reply(replyTo, { error: 'CAIRN_VALIDATION_FAILED', message: decoded.error, reason: decoded.reason });
      msg.ack();
      return;
    }
    // The command's stream position names it: a redelivery after a crash republishes with
    // the same msgID, which JetStream drops as a duplicate.
    const id = `cmd-${msg.seq}-${msg.info.timestampNanos}`;
    const event = normalizeCommand(decoded.value, id, 'nats', new Date());
    try {
      const seq = await publishInvalidation(this.#nc.jetstream(), event, id);
      this.#metrics.commands.inc({ source: 'nats', type: decoded.value.type });
      this.#logger.info({ id, kind: event.kind, cache: event.cache, key: event.key, seq }, 'invalidation published');
      this.#reply(replyTo, { id, sequence: seq, event });
      msg.ack();
    } catch (err) {
      this.#metrics.publishFailures.inc();
      this.#logger.warn({ err, id }, 'invalidation publish failed');
      msg.nak(REDELIVER_DELAY_MS);
    }
  }

  /** Sends the result to the publisher's `Cairn-Reply-To` subject, when it named one. */
  #reply(replyTo: string | undefined, result: unknown): void {
    if (replyTo === undefined) return;
    try {
      this.#nc.publish(replyTo, encodeMessage(result));
    } catch (err) {
      this.#logger.warn({ err, replyTo }, 'reply publish failed');
    }
  }
}
