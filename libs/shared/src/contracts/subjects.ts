/**
 * Every NATS subject Cairn uses, built here and nowhere else (DESIGN.md §3).
 * Services call these builders; a subject string literal in a service is a bug.
 */
import { assertSafeToken, decodeSubjectToken, encodeSubjectToken } from './subject-token.js';
import type { CacheScope, InvalidationKind, InvalidationMode } from './invalidation.js';

const RULES_PREFIX = 'cache.rules';
const INVALIDATIONS_PREFIX = 'cache.invalidations';

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
   * earlier hard one of the same target.
   */
  invalidation: (kind: InvalidationKind, cache: CacheScope, key: string | undefined, mode: InvalidationMode = 'hard'): string =>
    `${INVALIDATIONS_PREFIX}.${kind}${mode === 'soft' ? '-soft' : ''}.${cache}.${key === undefined ? '_' : encodeSubjectToken(key)}`,
  allInvalidations: `${INVALIDATIONS_PREFIX}.>`,
  /**
   * Core NATS (not stored; outside every stream's subjects): gateways announce themselves
   * here every GATEWAY_HEARTBEAT_MS, and acknowledge each invalidation event they applied.
   */
  gatewayHeartbeats: 'cache.gateways.heartbeat',
  invalidationAcks: 'cache.acks.invalidation',
  /** JetStream's own advisories (created, deleted, updated) for one stream. */
  streamAdvisories: (stream: string): string => `$JS.EVENT.ADVISORY.STREAM.*.${assertSafeToken(stream)}`,
} as const;

/** The rule id carried by a `cache.rules.<id>` subject. */
export function ruleIdFromSubject(subject: string): string {
  return subject.slice(RULES_PREFIX.length + 1);
}

/** The parts of a `cache.invalidations.*` subject, for audit listings. */
export function parseInvalidationSubject(subject: string): { kind: string; cache: string; key: string | undefined } {
  const [, , kind = '', cache = '', token = '_'] = subject.split('.');
  return { kind, cache, key: token === '_' ? undefined : decodeSubjectToken(token) };
}
