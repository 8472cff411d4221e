/** key: the normalized path and the cache key of DESIGN.md §6, from the route's key config. */
import { buildCacheKey, normalizePath } from '@cairn/shared';
import type { Route } from '../context.js';
import { keyedTarget, replacePath } from '../origin/upstream-target.js';
import type { Exchange } from './exchange.js';

export function key(exchange: Exchange, route: Route): void {
  exchange.path = normalizePath(exchange.url);
  exchange.key = buildCacheKey(route.cache, exchange, route.keyConfig, exchange.path);
  // What a fill asks the origin for: only keyed query parameters may shape a stored answer.
  exchange.fillTarget = replacePath(keyedTarget(exchange.rawPath, exchange.query, route.keyConfig.includeQueryParams), route);
}
