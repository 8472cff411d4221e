/**
 * Whether the gateway can trust its invalidation map (README, Invalidation). When the JetStream
 * feed has been lost for longer than INVALIDATION_FEED_GRACE_MS, an invalidation may have
 * been issued that this gateway has not seen, so every hit is revalidated with the origin
 * (stale only if the origin fails). After reconnecting the follower catches up from where
 * it stopped; the gateway returns to normal hits once it has applied everything the stream
 * held at the moment it reconnected.
 */
import { streamNames, type Logger, type StreamFollower } from '@cairn/shared';
import { setTimeout as sleep } from 'node:timers/promises';
import { Events, type JetStreamManager, type NatsConnection } from 'nats';

const REREAD_DELAY_MS = 1000;

export class FeedHealth {
  readonly #nc: NatsConnection;
  readonly #follower: StreamFollower;
  readonly #graceMs: number;
  readonly #logger: Logger;
  /** Wall-clock ms the feed was lost at; undefined while healthy. */
  #lostSince: number | undefined;
  /** After a reconnect: the stream's last sequence then, which the follower must reach. */
  #catchUpTo: number | undefined;
  /** Counts connection changes, so a reread belongs to the reconnect that started it. */
  #reconnects = 0;
  #jsm: JetStreamManager | undefined;

  constructor(nc: NatsConnection, follower: StreamFollower, graceMs: number, logger: Logger) {
    this.#nc = nc;
    this.#follower = follower;
    this.#graceMs = graceMs;
    this.#logger = logger;
  }

  start(): void {
    void (async () => {
      for await (const status of this.#nc.status()) {
        if (status.type === Events.Disconnect) {
          this.#lostSince ??= Date.now();
          this.#catchUpTo = undefined;
          this.#reconnects++;
        } else if (status.type === Events.Reconnect) {
          void this.#reconnected(++this.#reconnects);
        }
      }
    })();
  }

  /**
   * Reads the stream's last sequence after a reconnect, retrying until it answers: right
   * after a node of the cluster died the answer can take a few seconds, and without it the
   * gateway could never leave revalidate-every-hit. A newer disconnect ends the attempt.
   */
  async #reconnected(generation: number): Promise<void> {
    for (let attempt = 1; generation === this.#reconnects && !this.#nc.isClosed(); attempt++) {
      try {
        this.#jsm ??= await this.#nc.jetstreamManager({ checkAPI: false });
        const info = await this.#jsm.streams.info(streamNames.invalidations);
        if (generation === this.#reconnects) this.#catchUpTo = info.state.last_seq;
        return;
      } catch (err) {
        this.#logger.warn({ err, attempt }, 'reading the stream position after a reconnect failed');
        await sleep(REREAD_DELAY_MS);
      }
    }
  }

  /** True while every hit must be revalidated. */
  lost(now: number): boolean {
    if (this.#lostSince === undefined) return false;
    if (this.#catchUpTo !== undefined && this.#follower.lastSeq >= this.#catchUpTo) {
      this.#logger.info({ appliedSeq: this.#follower.lastSeq, lostMs: now - this.#lostSince }, 'invalidation feed caught up');
      this.#lostSince = undefined;
      this.#catchUpTo = undefined;
      return false;
    }
    return now - this.#lostSince > this.#graceMs;
  }
}
