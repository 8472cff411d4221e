/**
 * key: the cache key of docs/request-flow.md from the route's key config: the canonical path recv
 * normalized and the keyed query, which are also all a fill sends (fetch builds its target
 * from them).
 */
import { buildCacheKey, keyedQuery } from '@cairn/shared';
import type { Route } from '../context.js';
import type { Exchange } from './exchange.js';

export function key(exchange: Exchange, route: Route): void {
  const query = keyedQuery(exchange.query, route.keyConfig.includeQueryParams);
  exchange.keyedQuery = query;
  exchange.urlKey = buildCacheKey(route.cache, exchange, route.keyConfig, exchange.canonicalPath, query);
  exchange.key = exchange.urlKey;
}
