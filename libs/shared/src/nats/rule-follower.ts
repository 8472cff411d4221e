/**
 * Follows CACHE_RULES into a rule map and an incrementally maintained RuleIndex: what
 * gateways match with and what the rules service's `POST /rules/test` explains with.
 *
 * A rule is its last valid event (issue 9 #7, rule-event.ts). Live, a malformed event
 * changes nothing, except that once RULE_HISTORY_PER_SUBJECT of them follow the last
 * valid one the stream no longer holds it and the rule is gone. A replay sees only the
 * last message per subject; when that one is malformed, the subject's retained history
 * is read to find the last valid event, and the feed reports caught up only after.
 */
import type { JsMsg, NatsConnection } from 'nats';
import type { Logger } from 'pino';
import { decodeRuleEvent, lastValidRuleEvent, type RuleEvent, type StoredRuleMessage } from '../contracts/rule-event.js';
import type { Rule } from '../contracts/rule.js';
import { RULE_HISTORY_PER_SUBJECT, streamNames } from '../contracts/streams.js';
import { ruleIdFromSubject, subjects } from '../contracts/subjects.js';
import { RuleIndex } from '../rules/rule-index.js';
import { StreamFollower } from './follow-stream.js';
import { readSubjectHistory } from './read-latest.js';

export interface RuleFollowerOptions {
  nc: NatsConnection;
  logger: Logger;
  /** Counts a malformed rule event (the follower logs it at warn). */
  onMalformed(msg: StoredRuleMessage): void;
  /** Counts a handler or history-read failure (the follower logs it). */
  onError(err: unknown): void;
  /** Called after every applied change, with the current rule count. */
  onChange?(ruleCount: number): void;
}

interface SubjectState {
  /** The last sequence accounted for on this subject. */
  seq: number;
  /** Messages after the last valid event; undefined: unknown (its history is being read). */
  since: number | undefined;
}

const HISTORY_RETRY_MS = 1000;

export class RuleFollower {
  readonly follower: StreamFollower;
  readonly #options: RuleFollowerOptions;
  readonly #rules = new Map<string, Rule>();
  readonly #subjects = new Map<string, SubjectState>();
  /** Built at the end of a replay (or on first use) and changed in place after that. */
  #index: RuleIndex | undefined;
  readonly #lookups = new Map<string, Promise<void>>();
  /** Subjects asked to be read again while their read ran. */
  readonly #again = new Set<string>();
  /** Bumped by every replay, so a history read begun before it is ignored. */
  #epoch = 0;
  #stopped = false;

  constructor(options: RuleFollowerOptions) {
    this.#options = options;
    this.follower = new StreamFollower({
      nc: options.nc,
      stream: streamNames.rules,
      filterSubject: subjects.allRules,
      logger: options.logger,
      onStart: () => this.#reset(),
      onMessage: (msg) => this.#onMessage(msg),
      onHandlerError: (err) => options.onError(err),
      beforeCaughtUp: () => this.#settled(),
    });
  }

  get index(): RuleIndex {
    return (this.#index ??= new RuleIndex(this.#rules.values()));
  }

  /** The current rule with this id, if any. */
  rule(id: string): Rule | undefined {
    return this.#rules.get(id);
  }

  get ruleCount(): number {
    return this.#rules.size;
  }

  async start(): Promise<void> {
    await this.follower.start();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.follower.stop();
  }

  #reset(): void {
    this.#epoch++;
    this.#rules.clear();
    this.#subjects.clear();
    this.#index = undefined;
  }

  /** Resolves once no history read is pending (new ones may start while it waits). */
  async #settled(): Promise<void> {
    for (let round = 0; this.#lookups.size > 0 && round < 1000; round++) await Promise.all(this.#lookups.values());
    // The replay is over: build the index now rather than on the first request.
    void this.index;
  }

  #onMessage(msg: JsMsg): void {
    const state = this.#subjects.get(msg.subject);
    // Already accounted for by a history read.
    if (state !== undefined && msg.seq <= state.seq) return;
    const decoded = decodeRuleEvent(msg.subject, msg.data);
    if (decoded.ok) {
      this.#subjects.set(msg.subject, { seq: msg.seq, since: 0 });
      this.#apply(ruleIdFromSubject(msg.subject), decoded.value, msg.seq);
      return;
    }
    this.#malformed(msg, decoded.error);
    if (state?.since === undefined) {
      this.#subjects.set(msg.subject, { seq: msg.seq, since: undefined });
      this.#readHistory(msg.subject);
      return;
    }
    state.seq = msg.seq;
    state.since++;
    if (state.since >= RULE_HISTORY_PER_SUBJECT) this.#apply(ruleIdFromSubject(msg.subject), undefined, msg.seq);
  }

  #malformed(msg: StoredRuleMessage, issues: string): void {
    this.#options.logger.warn({ subject: msg.subject, seq: msg.seq, issues }, 'malformed message');
    this.#options.onMalformed(msg);
  }

  /** `event` undefined: no valid event is retained, so the rule is absent. */
  #apply(id: string, event: RuleEvent | undefined, seq: number): void {
    if (event?.op === 'upsert') {
      this.#rules.set(id, event.rule);
      this.#index?.upsert(event.rule);
    } else if (this.#rules.delete(id)) {
      this.#index?.remove(id);
    }
    this.#options.onChange?.(this.#rules.size);
    this.#options.logger.debug({ seq, op: event?.op ?? 'absent', ruleId: id }, 'rule applied');
  }

  /**
   * Finds a subject's last valid event in its retained history (one read per subject at a
   * time). Asked again while one runs (another malformed event, a new epoch), it reads once
   * more after it: that read may predate what it was asked for.
   */
  #readHistory(subject: string): void {
    if (this.#lookups.has(subject)) {
      this.#again.add(subject);
      return;
    }
    const epoch = this.#epoch;
    const lookup = this.#lookup(subject, epoch).finally(() => {
      this.#lookups.delete(subject);
      if (this.#again.delete(subject) && !this.#stopped) this.#readHistory(subject);
    });
    this.#lookups.set(subject, lookup);
  }

  async #lookup(subject: string, epoch: number): Promise<void> {
    // Bounded by stop() and by a replay (which starts a new epoch).
    while (!this.#stopped && epoch === this.#epoch) {
      try {
        const messages = await readSubjectHistory(this.#options.nc, streamNames.rules, subject);
        if (epoch === this.#epoch) this.#applyHistory(subject, messages);
        return;
      } catch (err) {
        this.#options.logger.warn({ err, subject }, 'rule history read failed');
        this.#options.onError(err);
        await new Promise((resolve) => setTimeout(resolve, HISTORY_RETRY_MS).unref());
      }
    }
  }

  #applyHistory(subject: string, messages: readonly StoredRuleMessage[]): void {
    const state = this.#subjects.get(subject);
    const head = messages[messages.length - 1]?.seq ?? 0;
    // The feed delivered something newer meanwhile: that message decided (or asked again).
    if (state !== undefined && state.seq > head) return;
    // Malformed messages the feed delivered were logged and counted then; later ones now.
    const counted = state?.seq ?? 0;
    const latest = lastValidRuleEvent(messages, (msg, issues) => {
      if (msg.seq > counted) this.#malformed(msg, issues);
    });
    const since = latest.revision === 0 ? RULE_HISTORY_PER_SUBJECT : messages.filter((m) => m.seq > latest.revision).length;
    this.#subjects.set(subject, { seq: head, since });
    this.#apply(ruleIdFromSubject(subject), latest.event, head);
  }
}
