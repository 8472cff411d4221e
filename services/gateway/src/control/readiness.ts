/**
 * `/ready` for the gateway (DESIGN.md §6): ready only when NATS is connected and both
 * feeds have caught up with their stream; the answer carries sequences either way.
 */
import type { Readiness } from '@cairn/shared';
import type { InvalidationFeed } from './invalidation-feed.js';
import type { RuleFeed } from './rule-feed.js';

export function gatewayReadiness(natsConnected: boolean, rules: RuleFeed, invalidations: InvalidationFeed): Readiness {
  return {
    ready: natsConnected && rules.isCaughtUp && invalidations.isCaughtUp,
    nats: natsConnected,
    rules: { caughtUp: rules.isCaughtUp, revision: rules.revision, count: rules.ruleCount },
    invalidations: { caughtUp: invalidations.isCaughtUp, appliedSeq: invalidations.appliedSeq },
  };
}
