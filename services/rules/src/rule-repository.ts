/**
 * Rules stored as events on the CACHE_RULES stream: its only storage. A rule's revision
 * is the stream sequence of its latest event; writes use JetStream's per-subject
 * expected sequence for optimistic concurrency (NATS-LMDB-NOTES §2).
 */
import { randomUUID } from 'node:crypto';
import {
  AlreadyExistsError,
  decodeMessage,
  encodeMessage,
  headers as cairnHeaders,
  NotFoundError,
  publishDurably,
  readLatestPerSubject,
  readSubjectHistory,
  RevisionConflictError,
  ruleEventSchema,
  streamNames,
  subjects,
  type Rule,
  type RuleEvent,
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
      const event = this.#decode(msg.subject, msg.seq, msg.data);
      if (event?.op === 'upsert') rules.push({ rule: event.rule, revision: msg.seq });
    }
    return rules.sort((a, b) => (a.rule.id < b.rule.id ? -1 : a.rule.id > b.rule.id ? 1 : 0));
  }

  async get(id: string): Promise<StoredRule> {
    const latest = await this.#latest(id);
    if (latest?.event?.op !== 'upsert') throw new NotFoundError('rule', id);
    return { rule: latest.event.rule, revision: latest.revision };
  }

  /** The retained events of a rule, newest first; 404 when it never existed (or all aged out). */
  async history(id: string): Promise<RuleRevision[]> {
    const messages = await readSubjectHistory(this.#nc, streamNames.rules, subjects.rule(id));
    const revisions: RuleRevision[] = [];
    for (const msg of messages) {
      const event = this.#decode(msg.subject, msg.seq, msg.data);
      if (event === undefined) continue;
      const writtenAt = new Date(Math.floor(msg.info.timestampNanos / 1e6)).toISOString();
      revisions.push({ revision: msg.seq, op: event.op, writtenAt, ...(event.op === 'upsert' ? { rule: event.rule } : {}) });
    }
    if (revisions.length === 0) throw new NotFoundError('rule', id);
    return revisions.reverse();
  }

  /** Creates a rule; fails with 409 when a live rule has that id. */
  async create(rule: Rule): Promise<number> {
    const latest = await this.#latest(rule.id);
    if (latest?.event?.op === 'upsert') throw new AlreadyExistsError('rule', rule.id);
    try {
      return await this.#write({ op: 'upsert', rule }, latest?.revision ?? 0);
    } catch (err) {
      if (err instanceof RevisionConflictError) throw new AlreadyExistsError('rule', rule.id);
      throw err;
    }
  }

  /** Creates or replaces a rule; with `expectedRevision`, only if that is still the current one. */
  async upsert(rule: Rule, expectedRevision?: number): Promise<number> {
    return this.#write({ op: 'upsert', rule }, expectedRevision);
  }

  /** Writes a tombstone; 404 when there is no live rule with that id. */
  async delete(id: string, expectedRevision?: number): Promise<number> {
    const latest = await this.#latest(id);
    if (latest?.event?.op !== 'upsert') throw new NotFoundError('rule', id);
    return this.#write({ op: 'delete', id }, expectedRevision ?? latest.revision);
  }

  async #write(event: RuleEvent, expectedRevision: number | undefined): Promise<number> {
    const id = event.op === 'upsert' ? event.rule.id : event.id;
    const h = natsHeaders();
    h.set(cairnHeaders.natsOp, event.op);
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
        throw new RevisionConflictError(expectedRevision ?? 0, (await this.#latest(id))?.revision);
      }
      throw err;
    }
  }

  async #latest(id: string): Promise<{ event: RuleEvent | undefined; revision: number } | undefined> {
    const jsm = await this.#nc.jetstreamManager();
    try {
      const msg = await jsm.streams.getMessage(streamNames.rules, { last_by_subj: subjects.rule(id) });
      return { event: this.#decode(msg.subject, msg.seq, msg.data), revision: msg.seq };
    } catch (err) {
      if ((err as NatsError).api_error?.err_code === NO_MESSAGE_FOUND) return undefined;
      throw err;
    }
  }

  /** A stored event that no longer decodes is logged, counted and treated as absent. */
  #decode(subject: string, seq: number, data: Uint8Array): RuleEvent | undefined {
    const decoded = decodeMessage(ruleEventSchema, data);
    if (decoded.ok) return decoded.value;
    this.#logger.warn({ subject, seq, issues: decoded.error }, 'malformed message');
    this.#metrics.malformedMessages.inc({ stream: streamNames.rules });
    return undefined;
  }
}
