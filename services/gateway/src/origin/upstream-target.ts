/**
 * The request target sent to a route's origin: the client's target after the route's
 * path replacement. A fill (whose answer is shared) carries only the keyed query
 * parameters, in the client's order: unkeyed input must not shape a stored response.
 */
import type { CacheKeyConfig } from '@cairn/shared';
import type { Route } from '../context.js';

export function replacePath(target: string, route: Route): string {
  if (route.replacement === undefined) return target;
  const replaced = target.replace(route.replacement.search, route.replacement.replace);
  return replaced.startsWith('/') ? replaced : `/${replaced}`;
}

/** `rawPath` plus only the query parameters the key includes. */
export function keyedTarget(rawPath: string, query: string, include: CacheKeyConfig['includeQueryParams']): string {
  if (query === '' || include === 'ALL') return query === '' ? rawPath : `${rawPath}?${query}`;
  if (include.length === 0) return rawPath;
  const kept = query.split('&').filter((pair) => {
    if (pair === '') return false;
    const eq = pair.indexOf('=');
    return include.includes(eq === -1 ? pair : pair.slice(0, eq));
  });
  return kept.length === 0 ? rawPath : `${rawPath}?${kept.join('&')}`;
}
