/**
 * rule: the first matching rule by specificity; no rule or a `no_cache` rule means PASS.
 * A path longer than rules look at (MAX_RULE_PATH_LENGTH, issue 9 #8) matches no rule: it
 * is passed to the origin uncached, so no request can make matching unbounded.
 */
import { MAX_RULE_PATH_LENGTH } from '@cairn/shared';
import type { GatewayContext } from '../context.js';
import type { Exchange } from './exchange.js';

export type RuleResult = { kind: 'continue' } | { kind: 'pass' };

export function rule(exchange: Exchange, context: GatewayContext): RuleResult {
  if (exchange.path.length > MAX_RULE_PATH_LENGTH) {
    exchange.match = undefined;
    exchange.decide('PASS', 'path-too-long');
    return { kind: 'pass' };
  }
  // The exchange is the match request (headers + query): no per-request object.
  const match = context.rules.index.match(exchange.path, exchange);
  exchange.match = match;
  if (match === undefined) {
    exchange.decide('PASS', 'no-rule');
    return { kind: 'pass' };
  }
  if (match.ttl.kind === 'no_cache') {
    exchange.decide('PASS', 'no-cache-rule');
    return { kind: 'pass' };
  }
  return { kind: 'continue' };
}
