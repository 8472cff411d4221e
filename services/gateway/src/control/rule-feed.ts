/**
 * Keeps the gateway's rule index current from CACHE_RULES through the shared RuleFollower
 * (replay, then live; a rule is its last valid event, issue 9 #7). The index is built once
 * at the end of a replay and changed in place by each event after that (issue 9 #9), so a
 * rule change never rebuilds anything on the request path.
 */
import { RuleFollower, streamNames, type Logger, type Rule, type RuleIndex, type StreamFollower } from '@cairn/shared';
import type { NatsConnection } from 'nats';
import type { GatewayMetrics } from '../metrics.js';

export class RuleFeed {
  readonly #rules: RuleFollower;

  constructor(nc: NatsConnection, metrics: GatewayMetrics, logger: Logger) {
    this.#rules = new RuleFollower({
      nc,
      logger,
      onMalformed: () => metrics.malformedMessages.inc({ stream: streamNames.rules }),
      onError: () => metrics.feedHandlerErrors.inc({ stream: streamNames.rules }),
      onChange: (count) => metrics.rules.set(count),
    });
  }

  get follower(): StreamFollower {
    return this.#rules.follower;
  }

  get index(): RuleIndex {
    return this.#rules.index;
  }

  /** The current rule with this id, if any. */
  rule(id: string): Rule | undefined {
    return this.#rules.rule(id);
  }

  get ruleCount(): number {
    return this.#rules.ruleCount;
  }
}
