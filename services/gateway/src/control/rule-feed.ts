/**
 * Keeps the in-memory rule index current from CACHE_RULES (replay, then live). The index
 * is immutable and rebuilt on the first match after a change, so a replay of many rules
 * costs one build.
 */
import { decodeMessage, RuleIndex, ruleEventSchema, ruleIdFromSubject, StreamFollower, streamNames, subjects, type Logger, type Rule } from '@cairn/shared';
import type { JsMsg, NatsConnection } from 'nats';
import type { GatewayMetrics } from '../metrics.js';

export class RuleFeed {
  readonly #rules = new Map<string, Rule>();
  readonly #follower: StreamFollower;
  readonly #logger: Logger;
  readonly #metrics: GatewayMetrics;
  #index: RuleIndex | undefined = new RuleIndex([]);

  constructor(nc: NatsConnection, metrics: GatewayMetrics, logger: Logger) {
    this.#logger = logger;
    this.#metrics = metrics;
    this.#follower = new StreamFollower({
      nc,
      stream: streamNames.rules,
      filterSubject: subjects.allRules,
      logger,
      onStart: () => this.#reset(),
      onMessage: (msg) => this.#apply(msg),
      onHandlerError: () => metrics.feedHandlerErrors.inc({ stream: streamNames.rules }),
    });
  }

  get index(): RuleIndex {
    if (this.#index === undefined) this.#index = new RuleIndex(this.#rules.values());
    return this.#index;
  }

  get revision(): number {
    return this.#follower.lastSeq;
  }

  get ruleCount(): number {
    return this.#rules.size;
  }

  get caughtUp(): Promise<void> {
    return this.#follower.caughtUp;
  }

  get isCaughtUp(): boolean {
    return this.#follower.isCaughtUp;
  }

  start(): Promise<void> {
    return this.#follower.start();
  }

  stop(): Promise<void> {
    return this.#follower.stop();
  }

  #reset(): void {
    this.#rules.clear();
    this.#index = undefined;
  }

  #apply(msg: JsMsg): void {
    const decoded = decodeMessage(ruleEventSchema, msg.data);
    if (!decoded.ok) {
      this.#logger.warn({ subject: msg.subject, seq: msg.seq, issues: decoded.error }, 'malformed message');
      this.#metrics.malformedMessages.inc({ stream: streamNames.rules });
      return;
    }
    const event = decoded.value;
    // The subject names the rule; an event claiming another id was not written by Cairn.
    const id = ruleIdFromSubject(msg.subject);
    if ((event.op === 'upsert' ? event.rule.id : event.id) !== id) {
      this.#logger.warn({ subject: msg.subject, seq: msg.seq, issues: 'rule id differs from subject' }, 'malformed message');
      this.#metrics.malformedMessages.inc({ stream: streamNames.rules });
      return;
    }
    if (event.op === 'upsert') this.#rules.set(id, event.rule);
    else this.#rules.delete(id);
    this.#index = undefined;
    this.#metrics.rules.set(this.#rules.size);
    this.#logger.debug({ seq: msg.seq, op: event.op, ruleId: id }, 'rule applied');
  }
}
