/**
 * Keeps the in-memory rule index current from CACHE_RULES (replay, then live). The index
 * is immutable and rebuilt on the first match after a change, so a replay of many rules
 * costs one build, and a rebuild recompiles only patterns it has not seen.
 */
import { RuleIndex, ruleEventSchema, ruleIdFromSubject, StreamFollower, streamNames, subjects, type Logger, type Rule } from '@cairn/shared';
import type { JsMsg, NatsConnection } from 'nats';
import type { GatewayMetrics } from '../metrics.js';
import { decodeFeedMessage, skipMalformed, type FeedSink } from './feed-message.js';

export class RuleFeed {
  readonly follower: StreamFollower;
  readonly #rules = new Map<string, Rule>();
  readonly #sink: FeedSink;
  #index: RuleIndex | undefined;
  /** The last index built: its compiled patterns are reused by the next. */
  #previous: RuleIndex | undefined;

  constructor(nc: NatsConnection, metrics: GatewayMetrics, logger: Logger) {
    this.#sink = { stream: streamNames.rules, logger, metrics };
    this.follower = new StreamFollower({
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
    if (this.#index === undefined) {
      this.#index = new RuleIndex(this.#rules.values(), this.#previous?.patterns);
      this.#previous = this.#index;
    }
    return this.#index;
  }

  /** The current rule with this id, if any. */
  rule(id: string): Rule | undefined {
    return this.#rules.get(id);
  }

  get ruleCount(): number {
    return this.#rules.size;
  }

  #reset(): void {
    this.#rules.clear();
    this.#index = undefined;
    this.#previous = undefined;
  }

  #apply(msg: JsMsg): void {
    const event = decodeFeedMessage(this.#sink, ruleEventSchema, msg);
    if (event === undefined) return;
    // The subject names the rule; an event claiming another id was not written by Cairn.
    const id = ruleIdFromSubject(msg.subject);
    if ((event.op === 'upsert' ? event.rule.id : event.id) !== id) return skipMalformed(this.#sink, msg, 'rule id differs from subject');
    if (event.op === 'upsert') this.#rules.set(id, event.rule);
    else this.#rules.delete(id);
    this.#index = undefined;
    this.#sink.metrics.rules.set(this.#rules.size);
    this.#sink.logger.debug({ seq: msg.seq, op: event.op, ruleId: id }, 'rule applied');
  }
}
