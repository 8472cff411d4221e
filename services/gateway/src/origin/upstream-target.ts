/**
 * The request target sent to a route's origin. A pass sends the client's target after the
 * route's path replacement. A fill, whose answer is shared, sends exactly what the key
 * describes (docs/request-flow.md, issue 9): the normalized path and the keyed query, in the key's
 * order, then the path replacement; nothing of the raw target that the key left out.
 */
import type { PathReplacement, Route } from '../context.js';

function applyReplacement(target: string, replacement: PathReplacement | undefined): string {
  if (replacement === undefined) return target;
  const replaced = target.replace(replacement.search, replacement.replace);
  return replaced.startsWith('/') ? replaced : `/${replaced}`;
}

/** The replacement a fill applies to the lowercased normalized path (made once per route). */
export function forNormalizedPath(replacement: PathReplacement | undefined): PathReplacement | undefined {
  return replacement === undefined ? undefined : { search: replacement.search.toLowerCase(), replace: replacement.replace };
}

export function replacePath(target: string, route: Route): string {
  return applyReplacement(target, route.replacement);
}

/**
 * A fill's target from the key's normalized `path` and `keyedQuery`. The replacement
 * applies to the path only, with the search lowercased as the path is.
 */
export function fillTarget(path: string, keyedQuery: string, route: Route): string {
  const target = applyReplacement(path, route.fillReplacement);
  return keyedQuery === '' ? target : `${target}?${keyedQuery}`;
}
