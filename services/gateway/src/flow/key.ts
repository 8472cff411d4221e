/**
 * key: the normalized path and the cache key of DESIGN.md §6, from the route's key config,
 * and the target a fill sends: built from the same normalized path and keyed query.
 */
import { buildCacheKey, keyedQuery } from '@cairn/shared';
import type { Route } from '../context.js';
import { fillTarget } from '../origin/upstream-target.js';
import type { Exchange } from './exchange.js';

export function key(exchange: Exchange, route: Route): void {
  const query = keyedQuery(exchange.query, route.keyConfig.includeQueryParams);
  exchange.keyedQuery = query;
  exchange.key = buildCacheKey(route.cache, exchange, route.keyConfig, exchange.canonicalPath, query);
  exchange.fillTarget = fillTarget(exchange.canonicalPath, query, route);
}
