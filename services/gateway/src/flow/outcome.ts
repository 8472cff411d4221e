/**
 * The closed unions every decision is recorded with. `deliver` turns the pair into the
 * `x-cairn-cache` header, metrics count it, debug headers show it; nothing else spells them.
 */

export type CacheOutcome = 'HIT' | 'MISS' | 'PASS' | 'BYPASS';

export type DecisionReason =
  // HIT
  | 'fresh'
  // MISS (why the store could not answer)
  | 'absent'
  | 'expired'
  | 'invalidated'
  // PASS / BYPASS (why the cache was not used)
  | 'reserved-path'
  | 'method'
  | 'bypass-header'
  | 'no-rule'
  | 'no-cache-rule'
  // why a fetched response was not stored
  | 'not-storable-status'
  | 'set-cookie'
  | 'origin-private'
  | 'vary-not-in-key'
  | 'no-freshness'
  | 'too-large'
  | 'feed-reset';

export function assertNever(value: never): never {
  throw new TypeError(`unreachable: ${JSON.stringify(value)}`);
}
