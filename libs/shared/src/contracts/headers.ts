/** Every Cairn header name, spelled once (README, the streams table, §6). */

export const headers = {
  /** HIT | MISS | STALE | BYPASS | PASS on every proxied response. */
  cache: 'x-cairn-cache',
  bypass: 'x-cairn-cache-bypass',
  debug: 'x-cairn-cache-debug',
  /** Marks a LOAD_TEST_MODE answer: it never came from the origin. */
  synthetic: 'x-cairn-synthetic',
  debugPath: 'x-cairn-cache-path',
  debugRule: 'x-cairn-cache-rule',
  debugRuleId: 'x-cairn-cache-rule-id',
  debugPattern: 'x-cairn-cache-pattern',
  debugBucket: 'x-cairn-cache-bucket',
  debugPolicy: 'x-cairn-cache-policy',
  debugTtl: 'x-cairn-cache-ttl',
  debugKey: 'x-cairn-cache-key',
  debugTtlRemaining: 'x-cairn-cache-ttl-remaining-sec',
  /** NATS message header marking a rule event's operation; `delete` is a tombstone. */
  natsOp: 'Cairn-Op',
  /**
   * NATS message header on a `cache.invalidate` command: where to send the result. (A
   * plain reply subject cannot be used: the command is stored in a stream, whose
   * publish acknowledgement is what answers it.)
   */
  natsReplyTo: 'Cairn-Reply-To',
  /**
   * NATS message header naming the service that wrote a stream event. Gateways apply
   * CACHE_INVALIDATIONS events only when it is INVALIDATION_PUBLISHER (issue #9): a stray
   * publish onto an invalidation subject (a misdirected reply, a hand-made event) is
   * skipped. A header anyone can set is a guard, not a permission: the NATS accounts of
   * the access-control work are what keep other clients off these subjects.
   */
  natsPublisher: 'Cairn-Publisher',
  /**
   * NATS message header naming the authenticated user who wrote a rule event or asked for an
   * invalidation (README, Access control); absent when access control is off.
   */
  natsAuthor: 'Cairn-Author',
  /**
   * RFC 9213 targeted Cache-Control for Cairn alone: when present and valid it governs
   * Cairn's freshness, storability and stale windows over CDN-Cache-Control and
   * Cache-Control; never stored, never sent to clients.
   */
  cairnCacheControl: 'cairn-cache-control',
  /**
   * NATS message header on a `cache.invalidate` command: the authenticated user it was
   * made for (a gateway's PURGE sends its principal's username), for the event's record.
   */
  natsRequestedBy: 'Cairn-Requested-By',
} as const;

/** The `Cairn-Publisher` value of events the invalidation service writes. */
export const INVALIDATION_PUBLISHER = 'cairn-invalidation';

/** The cache name used in RFC 9211 `Cache-Status`. */
export const CACHE_STATUS_NAME = 'cairn';

/** Every Cairn HTTP header name starts with this: the gateway owns them on its answers (issue 9). */
export const CAIRN_HEADER_PREFIX = 'x-cairn-';
