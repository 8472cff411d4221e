/**
 * The request target sent to a route's origin. A pass sends the client's target after the
 * route's path replacement. A fill, whose answer is shared, sends exactly what the key
 * describes (DESIGN.md §6, issue 9): the normalized path and the keyed query, in the key's
 * order, then the path replacement; nothing of the raw target that the key left out.
 */
import type { Route } from '../context.js';

export function replacePath(target: string, route: Route): string {
  if (route.replacement === undefined) return target;
  const replaced = target.replace(route.replacement.search, route.replacement.replace);
  return replaced.startsWith('/') ? replaced : `/${replaced}`;
}

/**
 * A fill's target from the key's normalized `path` and `keyedQuery`. The replacement
 * applies to the path only, and its search matches case-insensitively (the normalized
 * path is lowercased; V8 returns an already lowercase search unchanged).
 */
export function fillTarget(path: string, keyedQuery: string, route: Route): string {
  let target = path;
  if (route.replacement !== undefined) {
    const replaced = path.replace(route.replacement.search.toLowerCase(), route.replacement.replace);
    target = replaced.startsWith('/') ? replaced : `/${replaced}`;
  }
  return keyedQuery === '' ? target : `${target}?${keyedQuery}`;
}
