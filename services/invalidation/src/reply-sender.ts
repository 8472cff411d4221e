/**
 * Answers a NATS command on its `Cairn-Reply-To` subject, only when that subject is an
 * inbox (`_INBOX.>`) or under `cache.replies.>` (issue #9): a core publish onto a stream's
 * subject would be stored by JetStream, so a reply aimed at `cache.invalidations.…` could
 * overwrite a purge. A refused reply is logged and counted; the command is still processed.
 */
import { encodeMessage, isAllowedReplySubject, type Logger } from '@cairn/shared';
import type { NatsConnection } from 'nats';
import type { InvalidationMetrics } from './metrics.js';

export class ReplySender {
  readonly #nc: NatsConnection;
  readonly #metrics: InvalidationMetrics;
  readonly #logger: Logger;

  constructor(nc: NatsConnection, metrics: InvalidationMetrics, logger: Logger) {
    this.#nc = nc;
    this.#metrics = metrics;
    this.#logger = logger;
  }

  /** The reply subject to use, or undefined (none named, or refused — logged and counted). */
  accept(replyTo: string | undefined, seq: number): string | undefined {
    if (replyTo === undefined || replyTo === '') return undefined;
    if (isAllowedReplySubject(replyTo)) return replyTo;
    this.#metrics.repliesRefused.inc();
    this.#logger.warn({ seq, replyTo: replyTo.slice(0, 256) }, 'reply subject refused');
    return undefined;
  }

  send(replyTo: string | undefined, result: unknown): void {
    if (replyTo === undefined) return;
    try {
      this.#nc.publish(replyTo, encodeMessage(result));
    } catch (err) {
      this.#metrics.replyFailures.inc();
      this.#logger.warn({ err, replyTo }, 'reply publish failed');
    }
  }
}
