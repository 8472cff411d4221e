/**
 * `/ready` for the gateway (DESIGN.md §6): ready only when NATS is connected and both
 * feeds have caught up with their stream; the answer carries sequences either way.
 */
import type { Readiness } from '@cairn/shared';
import type { InvalidationFeed } from './invalidation-feed.js';
import type { RuleFeed } from './rule-feed.js';

export function gatewayReadiness(natsConnected: boolean, rules: RuleFeed, invalidations: InvalidationFeed): Readiness {
  const rulesCaughtUp = rules.follower.isCaughtUp;
  const invalidationsCaughtUp = invalidations.follower.isCaughtUp;
  return {
    ready: natsConnected && rulesCaughtUp && invalidationsCaughtUp,
    nats: natsConnected,
    rules: { caughtUp: rulesCaughtUp, revision: rules.follower.lastSeq, count: rules.ruleCount },
    invalidations: { caughtUp: invalidationsCaughtUp, appliedSeq: invalidations.appliedSeq },
  };
}
