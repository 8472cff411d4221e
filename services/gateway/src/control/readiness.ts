/**
 * `/ready` for the gateway (docs/request-flow.md): ready only when NATS is connected and both
 * feeds have caught up with their stream; the answer carries sequences either way.
 * A store that cannot write is reported (`store.writable: false`) but does not make the
 * gateway unready: it still serves hits from what it holds and answers every miss and
 * pass correctly (unstored), and taking a fleet whose disks filled out of rotation would
 * turn a loss of caching into an outage. Alert on the section or on
 * cairn_gateway_store_writable instead.
 */
import type { Readiness } from '@cairn/shared';
import type { FeedHealth } from './feed-health.js';
import type { InvalidationFeed } from './invalidation-feed.js';
import type { RuleFeed } from './rule-feed.js';
import type { LmdbStore } from '../store/lmdb-store.js';

export function gatewayReadiness(natsConnected: boolean, rules: RuleFeed, invalidations: InvalidationFeed, feedHealth: FeedHealth, store: LmdbStore): Readiness {
  const rulesCaughtUp = rules.follower.isCaughtUp;
  const invalidationsCaughtUp = invalidations.follower.isCaughtUp;
  return {
    ready: natsConnected && rulesCaughtUp && invalidationsCaughtUp,
    nats: natsConnected,
    rules: { caughtUp: rulesCaughtUp, revision: rules.follower.lastSeq, count: rules.ruleCount },
    // `feed-lost`: every hit is being revalidated with the origin until the feed is back.
    invalidations: { caughtUp: invalidationsCaughtUp, appliedSeq: invalidations.appliedSeq, lag: invalidations.follower.lag, mode: feedHealth.lost(Date.now()) ? 'feed-lost' : 'normal' },
    // Stored bytes against the bound in force (CACHE_MAX_BYTES, or lower after a full disk).
    store: { ...store.writeState, bytes: store.bound.bytes, maxBytes: store.bound.maxBytes, memoryBytes: store.memory.bytes },
  };
}
