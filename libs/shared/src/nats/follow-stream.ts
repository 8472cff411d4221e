/**
 * Follows a stream the way gateways need it (README, the streams table): replay the latest message per
 * subject, report when that replay has caught up, then follow live. An ordered consumer
 * does not notice a stream that was deleted and recreated (checked on nats-server 2.9), so the
 * follower compares `StreamInfo.created` on consumer recreation, on stream advisories and
 * on a timer, and replays from scratch when it changed.
 */
import { ConsumerEvents, DeliverPolicy, type Consumer, type ConsumerMessages, type JetStreamManager, type JsMsg, type NatsConnection, type NatsError, type Subscription } from 'nats';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { subjects } from '../contracts/subjects.js';
import { PULL_EXPIRES_MS } from './pull-expiry.js';

export interface FollowStreamOptions {
  nc: NatsConnection;
  stream: string;
  filterSubject: string;
  logger: Logger;
  /**
   * Called before a (re)play with the stream's creation time; `replayed` is false on the
   * first start. State derived from an earlier stream must be dropped here.
   */
  onStart(created: string, replayed: boolean): void | Promise<void>;
  /** Called for every message, in stream order. Exceptions are logged and counted, never fatal. */
  onMessage(msg: JsMsg): void;
  /** Counts handler failures (the follower is a boundary: it logs and counts). */
  onHandlerError(err: unknown, msg: JsMsg): void;
  /**
   * Awaited before the feed reports caught up, for work a replay started that must finish
   * first (the rule feed's history reads, issue 9 #7). Messages keep flowing meanwhile.
   */
  beforeCaughtUp?(): Promise<void>;
  /** How often the stream's identity is re-checked when nothing else prompts it. */
  identityCheckMs?: number;
}

const STREAM_NOT_FOUND = 10059;
const RESUME_DELAY_MS = 1000;
/**
 * Identity checks in a row in which the stream answered but the consumer did not, before
 * the follower replaces the consumer itself. An ordered consumer is R1: when the node that
 * holds it dies (one of three), nats.js asks for its info forever and never recreates it, so
 * the feed would stall until that node came back (checked on nats-server 2.9 with nats.js 2.29).
 */
const LOST_CONSUMER_CHECKS = 2;
/** A live consumer answers its info in milliseconds. */
const CONSUMER_INFO_TIMEOUT_MS = 2000;
/** Longer than one nats.js create attempt (a 5 s API timeout): an attempt still silent by then is abandoned. */
const CONSUMER_CREATE_TIMEOUT_MS = 8000;

/** The follower was stopped while it was still opening its consumer. */
export class FeedStoppedError extends Error {
  constructor(readonly stream: string) {
    super(`the follower of ${stream} was stopped`);
    this.name = 'FeedStoppedError';
  }
}

export class StreamFollower {
  readonly #options: FollowStreamOptions;
  #created: string | undefined;
  #messages: ConsumerMessages | undefined;
  #consumer: Consumer | undefined;
  #lastSeq = 0;
  #lag = 0;
  #caughtUp = false;
  #settling = false;
  #resolveCaughtUp!: () => void;
  readonly caughtUp: Promise<void>;
  #advisories: Subscription | undefined;
  #timer: NodeJS.Timeout | undefined;
  #checking: Promise<void> | undefined;
  #recheck = false;
  #stopped = false;
  #consumerSilentChecks = 0;
  #replacing: Promise<void> | undefined;
  #jsm: JetStreamManager | undefined;

  constructor(options: FollowStreamOptions) {
    this.#options = options;
    this.caughtUp = new Promise((resolve) => (this.#resolveCaughtUp = resolve));
  }

  /** The stream sequence of the last message handed to `onMessage`. */
  /**
   * Messages the stream held beyond the last one delivered, as of that delivery: how far
   * this reader is behind (0 when it has everything it was told of).
   */
  get lag(): number {
    return this.#lag;
  }

  get lastSeq(): number {
    return this.#lastSeq;
  }

  get isCaughtUp(): boolean {
    return this.#caughtUp;
  }

  get streamCreated(): string | undefined {
    return this.#created;
  }

  async start(): Promise<void> {
    await this.#play(false);
    this.#advisories = this.#options.nc.subscribe(subjects.streamAdvisories(this.#options.stream), {
      callback: () => this.#checkIdentity(),
    });
    this.#timer = setInterval(() => this.#checkIdentity(), this.#options.identityCheckMs ?? 5000);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#advisories?.unsubscribe();
    await this.#checking;
    await this.#messages?.close();
  }

  async #play(replayed: boolean): Promise<void> {
    const { stream, logger } = this.#options;
    const info = await (await this.#manager()).streams.info(stream);
    this.#created = info.created;
    this.#lastSeq = 0;
    await this.#options.onStart(info.created, replayed);
    await this.#follow({ deliver_policy: DeliverPolicy.LastPerSubject });
    if (info.state.messages === 0) this.#markCaughtUp();
    logger.info({ stream, created: info.created, messages: info.state.messages, replayed }, 'feed started');
  }

  /** Starts an ordered consumer; if its message loop ever fails, resumes after the last message seen. */
  async #follow(start: { deliver_policy: DeliverPolicy; opt_start_seq?: number }): Promise<void> {
    const { stream, logger } = this.#options;
    const { consumer, messages } = await this.#open(start);
    if (this.#stopped) {
      // Stopped while a replacement consumer was being made: it is not needed any more.
      await messages.close();
      return;
    }
    this.#consumer = consumer;
    this.#messages = messages;
    this.#consumerSilentChecks = 0;
    this.#watchStatus(messages).catch((err: unknown) => logger.warn({ err, stream }, 'feed status watch ended'));
    this.#consume(messages).catch((err: unknown) => {
      if (this.#stopped || messages !== this.#messages) return;
      logger.error({ err, stream, seq: this.#lastSeq }, 'feed consumer failed');
      setTimeout(() => this.#resume(), RESUME_DELAY_MS).unref();
    });
  }

  /**
   * Creates an ordered consumer, under a new name while an attempt does not answer. Right
   * after a node died, nats-server 2.9 may still place a new R1 consumer on it; the create
   * request then never answers, and nats.js retries under the same name, which the cluster
   * keeps assigning to the dead node. A new consumer object gets a new name and a new placement.
   */
  async #open(start: { deliver_policy: DeliverPolicy; opt_start_seq?: number }): Promise<{ consumer: Consumer; messages: ConsumerMessages }> {
    const { nc, stream, filterSubject, logger } = this.#options;
    for (let attempt = 1; ; attempt++) {
      const opening = (async () => {
        const consumer = await nc.jetstream().consumers.get(stream, { filterSubjects: filterSubject, ...start });
        return { consumer, messages: await consumer.consume({ max_messages: 1000, expires: PULL_EXPIRES_MS }) };
      })();
      const opened = await Promise.race([opening, sleep(CONSUMER_CREATE_TIMEOUT_MS, undefined, { ref: false }).then(() => undefined)]);
      if (opened !== undefined) return opened;
      // Abandoned, but nats.js goes on retrying it: should it ever open, it is closed unread.
      opening
        .then((late) => late.messages.close())
        .catch((err: unknown) => logger.debug({ err, stream }, 'an abandoned feed consumer failed to open or to close'));
      if (this.#stopped) throw new FeedStoppedError(stream);
      logger.warn({ stream, attempt }, 'feed consumer creation did not answer; trying under a new name');
    }
  }

  #resume(): void {
    if (this.#stopped) return;
    this.#follow({ deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: this.#lastSeq + 1 }).catch((err: unknown) => {
      if (this.#stopped) return;
      this.#options.logger.error({ err, stream: this.#options.stream }, 'feed resume failed');
      setTimeout(() => this.#resume(), RESUME_DELAY_MS).unref();
    });
  }

  async #consume(messages: ConsumerMessages): Promise<void> {
    for await (const msg of messages) {
      this.#lastSeq = msg.seq;
      this.#lag = msg.info.pending;
      try {
        this.#options.onMessage(msg);
      } catch (err) {
        this.#options.logger.error({ err, subject: msg.subject, seq: msg.seq }, 'feed handler failed');
        this.#options.onHandlerError(err, msg);
      }
      if (!this.#caughtUp && msg.info.pending === 0) this.#markCaughtUp();
    }
  }

  async #watchStatus(messages: ConsumerMessages): Promise<void> {
    for await (const status of await messages.status()) {
      // Missed heartbeats may mean the node holding the consumer died: check now, not at the next tick.
      if (status.type === ConsumerEvents.OrderedConsumerRecreated || status.type === ConsumerEvents.HeartbeatsMissed) this.#checkIdentity();
    }
  }

  #markCaughtUp(): void {
    if (this.#caughtUp || this.#settling) return;
    const settle = this.#options.beforeCaughtUp;
    if (settle === undefined) return this.#caughtUpNow();
    this.#settling = true;
    settle().then(
      () => this.#caughtUpNow(),
      (err: unknown) => {
        this.#options.logger.error({ err, stream: this.#options.stream }, 'feed catch-up failed');
        this.#settling = false;
      },
    );
  }

  #caughtUpNow(): void {
    this.#settling = false;
    if (this.#caughtUp) return;
    this.#caughtUp = true;
    this.#options.logger.info({ stream: this.#options.stream, seq: this.#lastSeq }, 'feed caught up');
    this.#resolveCaughtUp();
  }

  /**
   * Replays from scratch when the stream now has another creation time. One check runs at
   * a time; a prompt that arrives during a check (the CREATED advisory right after the
   * DELETED one) runs another check when it ends.
   */
  #checkIdentity(): void {
    if (this.#stopped) return;
    if (this.#checking) {
      this.#recheck = true;
      return;
    }
    this.#checking = this.#resyncIfRecreated()
      .catch((err: unknown) => {
        const notFound = (err as NatsError).api_error?.err_code === STREAM_NOT_FOUND;
        this.#options.logger.warn({ err, stream: this.#options.stream, notFound }, 'feed identity check failed');
      })
      .finally(() => {
        this.#checking = undefined;
        if (this.#recheck) {
          this.#recheck = false;
          this.#checkIdentity();
        }
      });
  }

  /**
   * The fallback for a replay that delivers nothing although the stream had messages at
   * start (they expired meanwhile, or none matched the filter): no message on which
   * `pending === 0` could be seen will come, so the consumer's own counts decide.
   */
  async #catchUpByConsumerInfo(): Promise<void> {
    if (this.#caughtUp || this.#consumer === undefined) return;
    const info = await this.#consumer.info();
    if (info.num_pending === 0 && info.delivered.consumer_seq === 0) this.#markCaughtUp();
  }

  /**
   * Replaces a consumer that stopped answering while its stream answers (LOST_CONSUMER_CHECKS).
   * The replacement runs beside the checks, one at a time: creating a consumer right after a
   * node died can take a while (nats.js retries until the cluster has placed it), and the
   * stream's identity must still be watched meanwhile. A failed replacement is tried again by
   * the next check.
   */
  async #checkConsumerAnswers(): Promise<void> {
    const consumer = this.#consumer;
    if (consumer === undefined || this.#stopped || this.#replacing !== undefined) return;
    const { stream, logger } = this.#options;
    try {
      // Bounded: an ordered consumer between two incarnations may itself retry without end.
      await Promise.race([consumer.info(), sleep(CONSUMER_INFO_TIMEOUT_MS, undefined, { ref: false }).then(() => Promise.reject(new Error(`no consumer info within ${CONSUMER_INFO_TIMEOUT_MS} ms`)))]);
      this.#consumerSilentChecks = 0;
      return;
    } catch (err) {
      if (++this.#consumerSilentChecks < LOST_CONSUMER_CHECKS || consumer !== this.#consumer) return;
      logger.warn({ err, stream, seq: this.#lastSeq }, 'feed consumer lost; recreating it after the last message seen');
    }
    const lost = this.#messages;
    this.#messages = undefined;
    // Not awaited: the lost consumer's iterator may never finish closing; it is dropped either way.
    lost?.close().catch((err: unknown) => logger.warn({ err, stream }, 'closing the lost feed consumer failed'));
    const from = this.#lastSeq + 1;
    this.#replacing = this.#follow({ deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: from })
      .then(
        () => logger.info({ stream, from }, 'feed consumer recreated'),
        (err: unknown) => {
          if (!this.#stopped) logger.error({ err, stream, from }, 'feed consumer recreation failed');
        },
      )
      .finally(() => (this.#replacing = undefined));
  }

  /**
   * One manager for the follower's life, made without the account-info round trip: that
   * request goes to the meta leader and can time out for a while after a node dies, where the
   * stream's own info (its leader) already answers.
   */
  async #manager(): Promise<JetStreamManager> {
    this.#jsm ??= await this.#options.nc.jetstreamManager({ checkAPI: false });
    return this.#jsm;
  }

  async #resyncIfRecreated(): Promise<void> {
    const info = await (await this.#manager()).streams.info(this.#options.stream);
    if (info.created === this.#created || this.#stopped) {
      await this.#checkConsumerAnswers();
      await this.#catchUpByConsumerInfo();
      return;
    }
    this.#options.logger.warn({ stream: this.#options.stream, was: this.#created, now: info.created }, 'stream recreated');
    await this.#messages?.close();
    await this.#play(true);
  }
}
