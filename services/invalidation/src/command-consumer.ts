/**
 * Reads `cache.invalidate` with the durable pull consumer all instances share (each
 * command handled once; a work-queue stream allows one such consumer). A malformed command is logged, counted and
 * acknowledged; a valid one is acknowledged only after its event is published. A command
 * whose event cannot be published is retried with a growing delay (a NATS restart or a
 * leader election must lose nothing) up to COMMAND_MAX_ATTEMPTS deliveries, or not at all
 * when it never can be; then it is dead-lettered and terminated, so the queue moves on
 * (issue #9). A command is only terminated once its dead letter is written: `max_deliver`
 * bounds redelivery, and past it a command stays in the stream rather than being dropped.
 */
import { decodeMessage, headers as cairnHeaders, invalidationCommandSchema, PULL_EXPIRES_MS, streamNames, subjects, type DeadLetterReason, type Logger } from '@cairn/shared';
import type { AckTracker } from './ack-tracker.js';
import { AckPolicy, type ConsumerMessages, type JsMsg, type NatsConnection, type NatsError } from 'nats';
import { classifyFailure } from './command-failure.js';
import { confirmationReport } from './confirmation-report.js';
import { deadLetterOf, writeDeadLetter } from './dead-letter-writer.js';
import type { RefresherChoice } from './gateway-choice.js';
import type { GatewayRegistry } from './gateway-registry.js';
import { publishInvalidation } from './invalidation-publisher.js';
import type { InvalidationMetrics } from './metrics.js';
import { normalizeCommand } from './normalize-command.js';
import { ReplySender } from './reply-sender.js';

export const COMMAND_CONSUMER = 'cairn-invalidation';
const CONSUMER_NAME_IN_USE = 10148;
/** Delay before a command whose publish failed is delivered again: doubling from this... */
const REDELIVER_DELAY_MS = 1000;
/** ...up to this, so ten attempts ride out about three minutes of JetStream trouble. */
const MAX_REDELIVER_DELAY_MS = 30_000;
/** Deliveries the server makes beyond COMMAND_MAX_ATTEMPTS, for retrying a failed dead-letter write. */
const DEAD_LETTER_RETRIES = 10;
/** Commands pulled ahead of the one being handled; each waits its turn within ack_wait. */
const PREFETCH = 32;
/** Publish attempts within one delivery; redelivery is the outer retry. */
const PUBLISH_ATTEMPTS = 3;
const ACK_WAIT_NANOS = 30e9;

export interface CommandConsumerOptions {
  /** COMMAND_MAX_ATTEMPTS: deliveries before a transiently failing command is dead-lettered. */
  maxAttempts: number;
  /**
   * With these, a command that names a reply subject is answered like `POST /cache/invalidate`:
   * once every gateway live at publish has applied it (up to ACK_TIMEOUT_MS), unless it asks
   * `runAsync`. The wait runs beside the queue, never in it.
   */
  confirm?: { gateways: GatewayRegistry; acks: AckTracker; ackTimeoutMs: number };
  /** Names the gateway that refetches a refresh command's entries (`refreshBy`). */
  refresher?: RefresherChoice;
}

export class CommandConsumer {
  readonly #nc: NatsConnection;
  readonly #logger: Logger;
  readonly #metrics: InvalidationMetrics;
  readonly #maxAttempts: number;
  readonly #replies: ReplySender;
  readonly #confirm: CommandConsumerOptions['confirm'];
  readonly #refresher: RefresherChoice | undefined;
  #messages: ConsumerMessages | undefined;
  #done: Promise<void> | undefined;

  constructor(nc: NatsConnection, logger: Logger, metrics: InvalidationMetrics, options: CommandConsumerOptions) {
    this.#nc = nc;
    this.#logger = logger;
    this.#metrics = metrics;
    this.#maxAttempts = options.maxAttempts;
    this.#replies = new ReplySender(nc, metrics, logger);
    this.#confirm = options.confirm;
    this.#refresher = options.refresher;
  }

  get #maxDeliver(): number {
    return this.#maxAttempts + DEAD_LETTER_RETRIES;
  }

  async start(): Promise<void> {
    const jsm = await this.#nc.jetstreamManager();
    const bounds = { ack_wait: ACK_WAIT_NANOS, max_deliver: this.#maxDeliver };
    try {
      await jsm.consumers.add(streamNames.commands, { durable_name: COMMAND_CONSUMER, ack_policy: AckPolicy.Explicit, ...bounds });
    } catch (err) {
      if ((err as NatsError).api_error?.err_code !== CONSUMER_NAME_IN_USE) throw err;
    }
    // A consumer made by an older version has no max_deliver: bound it (2.9 can update it).
    const info = await jsm.consumers.info(streamNames.commands, COMMAND_CONSUMER);
    if (info.config.max_deliver !== bounds.max_deliver) await jsm.consumers.update(streamNames.commands, COMMAND_CONSUMER, bounds);
    const consumer = await this.#nc.jetstream().consumers.get(streamNames.commands, COMMAND_CONSUMER);
    this.#messages = await consumer.consume({ max_messages: PREFETCH, expires: PULL_EXPIRES_MS });
    this.#done = this.#run(this.#messages);
    this.#logger.info({ consumer: COMMAND_CONSUMER, maxDeliver: bounds.max_deliver }, 'command consumer started');
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
        this.#metrics.handlerErrors.inc({ subject: subjects.invalidationCommands });
        msg.nak(redeliverDelayMs(msg.info.deliveryCount));
      }
    }
  }

  async #handle(msg: JsMsg): Promise<void> {
    const replyTo = this.#replies.accept(msg.headers?.get(cairnHeaders.natsReplyTo), msg.seq);
    // The command's stream position names it: a redelivery after a crash republishes with
    // the same msgID, which JetStream drops as a duplicate.
    const id = `cmd-${msg.seq}-${msg.info.timestampNanos}`;
    if (msg.info.deliveryCount > this.#maxAttempts) {
      // Earlier deliveries ended without an outcome (the process died or stalled on it): do not try again.
      return this.#deadLetter(msg, id, 'attempts-exhausted', new Error('delivered more than COMMAND_MAX_ATTEMPTS times without an outcome'), replyTo);
    }
    const decoded = decodeMessage(invalidationCommandSchema, msg.data);
    if (!decoded.ok) {
      this.#logger.warn({ subject: msg.subject, seq: msg.seq, issues: decoded.error }, 'malformed message');
      this.#metrics.malformedMessages.inc({ subject: subjects.invalidationCommands });
      this.#metrics.rejected.inc({ source: 'nats', reason: decoded.reason });
      this.#replies.send(replyTo, { error: 'CAIRN_VALIDATION_FAILED', message: decoded.error, reason: decoded.reason });
      msg.ack();
      return;
    }
    let event;
    let seq;
    // The gateways to wait for are those live when the event is published, as for REST.
    const expected = replyTo !== undefined && decoded.value.runAsync !== true ? this.#confirm?.gateways.live().map((g) => g.gatewayId) : undefined;
    try {
      event = normalizeCommand(decoded.value, id, 'nats', new Date(), this.#refresher);
      seq = await publishInvalidation(this.#nc.jetstream(), event, id, PUBLISH_ATTEMPTS);
    } catch (err) {
      await this.#failed(msg, id, err, replyTo);
      return;
    }
    this.#metrics.commands.inc({ source: 'nats', type: decoded.value.type });
    this.#logger.info({ id, kind: event.kind, cache: event.cache, key: event.key, mode: event.mode, refreshBy: event.refreshBy, seq }, 'invalidation published');
    msg.ack();
    this.#reply(replyTo, id, seq, event, expected);
  }

  /** The result on the reply subject: at once, or with the report once the expected gateways applied it. */
  #reply(replyTo: string | undefined, id: string, sequence: number, event: unknown, expected: string[] | undefined): void {
    const confirm = this.#confirm;
    if (replyTo === undefined) return;
    if (confirm === undefined || expected === undefined) return this.#replies.send(replyTo, { id, sequence, event });
    confirm.acks.published(id, sequence);
    // Nothing to wait for: answered now, in command order.
    const known = confirm.acks.get(id) ?? { sequence, acknowledgedBy: new Map<string, number>() };
    if (expected.length === 0) return this.#replies.send(replyTo, { ...confirmationReport(id, known, expected), event });
    void confirm.acks.waitFor(id, expected, confirm.ackTimeoutMs).then((acks) => this.#replies.send(replyTo, { ...confirmationReport(id, acks, expected), event }));
  }

  /** Retries a transient failure while attempts remain; otherwise dead-letters and terminates. */
  async #failed(msg: JsMsg, id: string, err: unknown, replyTo: string | undefined): Promise<void> {
    const kind = classifyFailure(err);
    const attempts = msg.info.deliveryCount;
    if (kind === 'transient' && attempts < this.#maxAttempts) {
      this.#metrics.publishFailures.inc();
      this.#logger.warn({ err, id, seq: msg.seq, attempts }, 'invalidation publish failed');
      msg.nak(redeliverDelayMs(attempts));
      return;
    }
    await this.#deadLetter(msg, id, kind === 'transient' ? 'attempts-exhausted' : 'unrecoverable', err, replyTo);
  }

  /** Records the command on CACHE_DEAD_LETTERS and terminates it, so the queue moves on. */
  async #deadLetter(msg: JsMsg, id: string, reason: DeadLetterReason, err: unknown, replyTo: string | undefined): Promise<void> {
    const attempts = msg.info.deliveryCount;
    let deadLetterSeq: number | undefined;
    try {
      deadLetterSeq = await writeDeadLetter(this.#nc.jetstream(), deadLetterOf(msg, reason, err), id);
    } catch (writeErr) {
      this.#metrics.deadLetterFailures.inc();
      this.#logger.error({ err: writeErr, id, seq: msg.seq, attempts }, 'dead letter write failed');
      if (attempts < this.#maxDeliver) return msg.nak(redeliverDelayMs(attempts));
      // The server's max_deliver stops redelivery after this one. Without a dead letter the
      // command is not terminated: it stays in CACHE_COMMANDS (found by seq), never lost.
      this.#logger.error({ err, id, seq: msg.seq, reason, attempts, bytes: msg.data.length }, 'command left in the queue');
      return;
    }
    this.#metrics.deadLetters.inc({ reason });
    this.#logger.error({ err, id, seq: msg.seq, reason, attempts, deadLetterSeq }, 'command dead-lettered');
    this.#replies.send(replyTo, { error: 'CAIRN_COMMAND_DEAD_LETTERED', message: 'the command could not be applied', reason, deadLetterSeq });
    msg.term();
  }
}

/** The delay before delivery `attempts + 1`: doubling, capped (a restart or election passes). */
export function redeliverDelayMs(attempts: number): number {
  return Math.min(MAX_REDELIVER_DELAY_MS, REDELIVER_DELAY_MS * 2 ** Math.max(0, attempts - 1));
}
