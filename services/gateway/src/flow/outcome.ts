/**
 * The closed unions every decision is recorded with. `deliver` turns the pair into the
 * `x-cairn-cache` header, metrics count it, debug headers show it; nothing else spells them.
 */

export type CacheOutcome = 'HIT' | 'STALE' | 'MISS' | 'PASS' | 'BYPASS';

export type DecisionReason =
  // HIT
  | 'fresh'
  // STALE (served past its TTL, as the rule allows)
  | 'stale-while-revalidate'
  | 'stale-if-error'
  // STALE or MISS: a soft purge marked it stale
  | 'soft-invalidated'
  // STALE: a refresh invalidation marked it; the new answer is being fetched for the fleet
  | 'refresh-pending'
  // MISS (why the store could not answer)
  | 'absent'
  | 'expired'
  | 'invalidated'
  | 'revalidated'
  | 'request-no-cache'
  | 'request-max-age'
  | 'request-min-fresh'
  | 'feed-lost'
  | 'retention-expired'
  | 'hit-for-miss'
  // only-if-cached with nothing fresh: 504, origin untouched
  | 'only-if-cached'
  // PASS / BYPASS (why the cache was not used)
  | 'reserved-path'
  | 'method'
  | 'bypass-header'
  | 'no-rule'
  | 'no-cache-rule'
  | 'path-too-long'
  // why a fetched response was not stored
  | 'not-storable-status'
  | 'set-cookie'
  | 'origin-private'
  | 'vary-not-in-key'
  | 'no-freshness'
  | 'too-large'
  | 'aborted'
  | 'request-no-store'
  | 'feed-reset'
  // the store cannot commit writes (disk full): answered, not stored
  | 'store-unwritable'
  // PASS: a PURGE the gateway answered itself (a fleet-wide url invalidation)
  | 'purge'
  // answers the gateway made itself instead of the origin's (Cache-Status detail, #10)
  | ErrorReason;

/** Why the gateway answered with an error of its own: the origin failed, or the request was refused. */
export type ErrorReason =
  | 'origin-unavailable'
  | 'origin-timeout'
  | 'origin-busy'
  | 'client-aborted'
  | 'bad-request'
  | 'method-not-implemented'
  | 'request-timeout'
  | 'header-too-large'
  | 'internal-error'
  | 'purge-timeout'
  | 'purge-failed'
  | 'unauthorized'
  | 'forbidden'
  | 'auth-refused';

export function assertNever(value: never): never {
  throw new TypeError(`unreachable: ${JSON.stringify(value)}`);
}
