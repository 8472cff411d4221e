/**
 * Rules stored as events on the CACHE_RULES stream: its only storage. A rule is its last
 * VALID event (issue 9 #7, rule-event.ts), as gateways read it: a malformed event stored by
 * hand is logged, counted and passed over, and the subject's history gives the revision
 * before it. A rule's revision is the stream sequence of that event; writes use JetStream's
 * per-subject expected sequence for optimistic concurrency (JetStream expected-last-subject-sequence), expecting
 * the subject's last message, whatever it is.
 */
import { randomUUID } from 'node:crypto';
import {
  AlreadyExistsError,
  decodeRuleEvent,
  encodeMessage,
  lastValidRuleEvent,
  headers as cairnHeaders,
  NotFoundError,
  publishDurably,
  readLatestPerSubject,
  readSubjectHistory,
  RevisionConflictError,
  streamNames,
  subjects,
  type Rule,
  type RuleEvent,
  type RuleRevisionState,
  type StoredRuleMessage,
} from '@cairn/shared';
import { headers as natsHeaders, type NatsConnection, type NatsError } from 'nats';
import type { Logger } from 'pino';
import type { RulesMetrics } from './metrics.js';

export interface StoredRule {
  rule: Rule;
  revision: number;
}

export interface RuleRevision {
  revision: number;
  op: RuleEvent['op'];
  writtenAt: string;
  /** The authenticated user who wrote this revision (the event's Cairn-Author header). */
  author?: string;
  rule?: Rule;
}

const NO_MESSAGE_FOUND = 10037;
const WRONG_LAST_SEQUENCE = 10071;

export class RuleRepository {
  readonly #nc: NatsConnection;
  readonly #logger: Logger;
  readonly #metrics: RulesMetrics;

  constructor(nc: NatsConnection, logger: Logger, metrics: RulesMetrics) {
    this.#nc = nc;
    this.#logger = logger;
    this.#metrics = metrics;
  }

  /** Every live rule (tombstoned ones left out), ordered by id. */
  async list(): Promise<StoredRule[]> {
    const messages = await readLatestPerSubject(this.#nc, streamNames.rules, subjects.allRules);
    const rules: StoredRule[] = [];
    for (const msg of messages) {
      let state: RuleRevisionState | undefined = { event: this.#decode(msg), revision: msg.seq, head: msg.seq };
      if (state.event === undefined) state = await this.#fromHistory(msg.subject);
      if (state?.event?.op === 'upsert') rules.push({ rule: state.event.rule, revision: state.revision });
    }
    return rules.sort((a, b) => (a.rule.id < b.rule.id ? -1 : a.rule.id > b.rule.id ? 1 : 0));
  }

  async get(id: string): Promise<StoredRule> {
    const current = await this.#current(id);
    if (current?.event?.op !== 'upsert') throw new NotFoundError('rule', id);
    return { rule: current.event.rule, revision: current.revision };
  }

  /** The retained events of a rule, newest first; 404 when it never existed (or all aged out). */
  async history(id: string): Promise<RuleRevision[]> {
    const messages = await readSubjectHistory(this.#nc, streamNames.rules, subjects.rule(id));
    const revisions: RuleRevision[] = [];
    for (const msg of messages) {
      const event = this.#decode(msg);
      if (event === undefined) continue;
      const writtenAt = new Date(Math.floor(msg.info.timestampNanos / 1e6)).toISOString();
      // Who wrote it, when the writer was authenticated (README, Access control).
      const author = msg.headers?.get(cairnHeaders.natsAuthor) || undefined;
      revisions.push({ revision: msg.seq, op: event.op, writtenAt, ...(author === undefined ? {} : { author }), ...(event.op === 'upsert' ? { rule: event.rule } : {}) });
    }
    if (revisions.length === 0) throw new NotFoundError('rule', id);
    return revisions.reverse();
  }

  /** Creates a rule; fails with 409 when a live rule has that id. */
  async create(rule: Rule, author?: string): Promise<number> {
    const current = await this.#current(rule.id);
    if (current?.event?.op === 'upsert') throw new AlreadyExistsError('rule', rule.id);
    try {
      return await this.#write({ op: 'upsert', rule }, current?.head ?? 0, author);
    } catch (err) {
      if (err instanceof RevisionConflictError) throw new AlreadyExistsError('rule', rule.id);
      throw err;
    }
  }

  /** Creates or replaces a rule; with `expectedRevision`, only if that is still the current one. */
  async upsert(rule: Rule, expectedRevision?: number, author?: string): Promise<number> {
    if (expectedRevision === undefined) return this.#write({ op: 'upsert', rule }, undefined, author);
    try {
      return await this.#write({ op: 'upsert', rule }, expectedRevision, author);
    } catch (err) {
      // Only malformed events since that revision: it is still the rule's revision.
      const current = err instanceof RevisionConflictError ? await this.#current(rule.id) : undefined;
      if (current === undefined || current.revision !== expectedRevision) throw err;
      return this.#write({ op: 'upsert', rule }, current.head, author);
    }
  }

  /** Writes a tombstone; 404 when there is no live rule with that id. */
  async delete(id: string, expectedRevision?: number, author?: string): Promise<number> {
    const current = await this.#current(id);
    if (current?.event?.op !== 'upsert') throw new NotFoundError('rule', id);
    if (expectedRevision !== undefined && expectedRevision !== current.revision) throw new RevisionConflictError(expectedRevision, current.revision);
    return this.#write({ op: 'delete', id }, current.head, author);
  }

  async #write(event: RuleEvent, expectedRevision: number | undefined, author: string | undefined): Promise<number> {
    const id = event.op === 'upsert' ? event.rule.id : event.id;
    const h = natsHeaders();
    h.set(cairnHeaders.natsOp, event.op);
    if (author !== undefined) h.set(cairnHeaders.natsAuthor, author);
    try {
      const ack = await publishDurably(this.#nc.jetstream(), subjects.rule(id), encodeMessage(event), {
        msgID: randomUUID(),
        headers: h,
        ...(expectedRevision === undefined ? {} : { expect: { lastSubjectSequence: expectedRevision } }),
      });
      this.#metrics.writes.inc({ op: event.op });
      this.#logger.info({ ruleId: id, op: event.op, revision: ack.seq }, 'rule written');
      return ack.seq;
    } catch (err) {
      if ((err as NatsError).api_error?.err_code === WRONG_LAST_SEQUENCE) {
        throw new RevisionConflictError(expectedRevision ?? 0, (await this.#current(id))?.revision);
      }
      throw err;
    }
  }

  /** The rule's last valid event, its revision and the subject's last sequence; undefined: no message. */
  async #current(id: string): Promise<RuleRevisionState | undefined> {
    const jsm = await this.#nc.jetstreamManager();
    let msg: StoredRuleMessage;
    try {
      msg = await jsm.streams.getMessage(streamNames.rules, { last_by_subj: subjects.rule(id) });
    } catch (err) {
      if ((err as NatsError).api_error?.err_code === NO_MESSAGE_FOUND) return undefined;
      throw err;
    }
    const event = this.#decode(msg);
    return event === undefined ? this.#fromHistory(msg.subject) : { event, revision: msg.seq, head: msg.seq };
  }

  /** A subject whose last message is malformed: its last valid event is in its retained history. */
  async #fromHistory(subject: string): Promise<RuleRevisionState | undefined> {
    const messages = await readSubjectHistory(this.#nc, streamNames.rules, subject);
    if (messages.length === 0) return undefined;
    // The last message was logged and counted already.
    const last = messages[messages.length - 1]?.seq;
    return lastValidRuleEvent(messages, (msg, issues) => {
      if (msg.seq !== last) this.#malformed(msg, issues);
    });
  }

  /** A stored event that does not decode is logged, counted and passed over. */
  #decode(msg: StoredRuleMessage): RuleEvent | undefined {
    const decoded = decodeRuleEvent(msg.subject, msg.data);
    if (decoded.ok) return decoded.value;
    this.#malformed(msg, decoded.error);
    return undefined;
  }

  #malformed(msg: StoredRuleMessage, issues: string): void {
    this.#logger.warn({ subject: msg.subject, seq: msg.seq, issues }, 'malformed message');
    this.#metrics.malformedMessages.inc({ stream: streamNames.rules });
  }
}
