/**
 * Every NATS subject Cairn uses, built here and nowhere else (README, the streams table).
 * Services call these builders; a subject string literal in a service is a bug.
 */
import { assertSafeToken, decodeSubjectToken, encodeSubjectToken, MAX_SUBJECT_TOKEN_LENGTH } from './subject-token.js';
import type { CacheScope, InvalidationKind, InvalidationMode } from './invalidation.js';

const RULES_PREFIX = 'cache.rules';
const INVALIDATIONS_PREFIX = 'cache.invalidations';
const DEAD_LETTERS_PREFIX = 'cache.deadletters';
/**
 * Where `Cairn-Reply-To` may point (issue #9): request inboxes, or Cairn's own reply
 * namespace. No stream captures either, so a reply is never stored as an event.
 */
export const REPLY_SUBJECT_PREFIXES = ['_INBOX.', 'cache.replies.'] as const;
/** Longest reply subject accepted: far below the 4,096-byte control line. */
export const MAX_REPLY_SUBJECT_LENGTH = MAX_SUBJECT_TOKEN_LENGTH;
const REPLY_SUBJECT_TOKEN = /^[^.*>\s]+$/;
/** The kind token's suffix per mode: each mode of a target keeps its own latest message. */
const MODE_SUFFIX: Record<InvalidationMode, string> = { hard: '', soft: '-soft', refresh: '-refresh' };

export const subjects = {
  /** `cache.rules.<ruleId>`: the full history of one rule (upserts and tombstones). */
  rule: (ruleId: string): string => `${RULES_PREFIX}.${assertSafeToken(ruleId)}`,
  allRules: `${RULES_PREFIX}.>`,
  /** Operator commands; a work queue, so each command is handled once. */
  invalidationCommands: 'cache.invalidate',
  /**
   * `cache.invalidations.<kind>.<cache>.<key>`: one subject per invalidation target, so the
   * latest message per subject is that target's state. The kind keeps namespaces apart
   * (a group named `page` is not the page cache); the key is base64url. Soft purges use
   * the kind `<kind>-soft`: a later soft purge must not replace (and so erase on replay) an
   * earlier hard one of the same target. Refreshes use `<kind>-refresh`, for the same reason:
   * a refresh must not erase an earlier soft purge, nor a soft purge an earlier refresh.
   */
  invalidation: (kind: InvalidationKind, cache: CacheScope, key: string | undefined, mode: InvalidationMode = 'hard'): string =>
    `${INVALIDATIONS_PREFIX}.${kind}${MODE_SUFFIX[mode]}.${cache}.${key === undefined ? '_' : encodeSubjectToken(key)}`,
  allInvalidations: `${INVALIDATIONS_PREFIX}.>`,
  /**
   * The filter subject for invalidation events of one mode (omitted parts match anything):
   * what `GET /cache/invalidations` reads, so it never reads the events it would drop.
   */
  invalidationFilter: (filter: { kind?: InvalidationKind | undefined; cache?: CacheScope | undefined; key?: string | undefined; mode?: InvalidationMode | undefined }): string => {
    const kind = filter.kind === undefined ? '*' : `${filter.kind}${MODE_SUFFIX[filter.mode ?? 'hard']}`;
    const key = filter.key === undefined ? '*' : encodeSubjectToken(filter.key);
    return `${INVALIDATIONS_PREFIX}.${kind}.${filter.cache ?? '*'}.${key}`;
  },
  /**
   * `cache.deadletters.commands`: a record of every command the invalidation service gave
   * up on (attempts exhausted, or it can never be applied). Outside `cache.invalidations.>`,
   * so gateways never read it as an event.
   */
  commandDeadLetters: `${DEAD_LETTERS_PREFIX}.commands`,
  allDeadLetters: `${DEAD_LETTERS_PREFIX}.>`,
  /** A documented reply namespace for `Cairn-Reply-To`, besides `_INBOX.>`. */
  allReplies: 'cache.replies.>',
  /**
   * Where a gateway takes the answer to its own commands (PURGE): under Cairn's reply
   * namespace, which the shipped NATS permissions let gateways read and nobody else write.
   */
  gatewayReply: (requestId: string): string => `cache.replies.gateway.${assertSafeToken(requestId)}`,
  allGatewayReplies: 'cache.replies.gateway.>',
  /**
   * Core NATS (not stored; outside every stream's subjects): gateways announce themselves
   * here every GATEWAY_HEARTBEAT_MS, and acknowledge each invalidation event they applied.
   */
  gatewayHeartbeats: 'cache.gateways.heartbeat',
  invalidationAcks: 'cache.acks.invalidation',
  /**
   * Active caching (README, Active caching), all core NATS, never stored. A gateway offers
   * each fill it stored to its peers here (one receiver per node: a queue group).
   */
  fillReplication: 'cache.fills',
  /**
   * A gateway says it started a fill of a key (and, when the fill ends unstored, that it did),
   * so a peer that misses on the key meanwhile waits for the replicated fill instead of asking
   * the origin too: a fleet-wide coalescing without a lock. Every worker hears these.
   */
  fillIntents: 'cache.fills.intents',
  /** An origin or CMS publishes a full new representation of a URL here (write-through). */
  originPush: 'cache.push',
  /** The invalidation service asks one gateway to warm a URL for the fleet. */
  warmRequests: 'cache.warm',
  /** Each gateway that stored (or failed) a warmed URL says so here. */
  warmAcks: 'cache.acks.warm',
  /** The queue group a node's workers share for the subjects above: each message reaches one worker per node. */
  nodeQueue: (gatewayId: string): string => `cairn-node-${encodeSubjectToken(gatewayId)}`,
  /** JetStream's own advisories (created, deleted, updated) for one stream. */
  streamAdvisories: (stream: string): string => `$JS.EVENT.ADVISORY.STREAM.*.${assertSafeToken(stream)}`,
} as const;

/** The rule id carried by a `cache.rules.<id>` subject. */
export function ruleIdFromSubject(subject: string): string {
  return subject.slice(RULES_PREFIX.length + 1);
}

/**
 * The parts of a `cache.invalidations.*` subject. `key` is undefined for a scope and for a
 * hashed (long) key: readers take the key from the event's payload, never from here.
 */
export function parseInvalidationSubject(subject: string): { kind: string; cache: string; token: string; key: string | undefined } {
  const [, , kind = '', cache = '', token = '_'] = subject.split('.');
  return { kind, cache, token, key: token === '_' ? undefined : decodeSubjectToken(token) };
}

/**
 * True when a `Cairn-Reply-To` value may be published to: a literal subject (no wildcards,
 * no whitespace, no empty token) under one of REPLY_SUBJECT_PREFIXES, at most
 * MAX_REPLY_SUBJECT_LENGTH long.
 */
export function isAllowedReplySubject(subject: string): boolean {
  if (subject.length > MAX_REPLY_SUBJECT_LENGTH) return false;
  const prefix = REPLY_SUBJECT_PREFIXES.find((p) => subject.startsWith(p));
  if (prefix === undefined || subject.length === prefix.length) return false;
  return subject.split('.').every((token) => REPLY_SUBJECT_TOKEN.test(token));
}
