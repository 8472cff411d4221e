/**
 * RFC 9111 §4.4: a non-error answer to an unsafe method invalidates the target URI, and the
 * URIs its `Location` / `Content-Location` name when they are on the same host. Every
 * stored variant of such a URI goes (its URL-index entries), not only the request's key.
 * Local to this gateway: the fleet learns of changes through `url` invalidations.
 */
import { keyedQuery, normalizePath, queryOf, urlInvalidationKey } from '@cairn/shared';
import type { GatewayContext, Route } from '../context.js';
import { combinedField } from '../http/field-lines.js';
import type { Exchange } from './exchange.js';

/**
 * Methods defined safe (RFC 9110 §9.2.1; QUERY, RFC 10008 §2; WebDAV's PROPFIND, REPORT,
 * SEARCH, RFC 4918 / 3253 / 5323). Every other one is unsafe, an unknown one included: a
 * cache cannot know what it changed.
 */
const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'QUERY', 'PROPFIND', 'REPORT', 'SEARCH']);

/**
 * The answer to the unsafe request waits this long at most for other workers' fills of its
 * key to commit, and as long for its deletions (they never fail, and the request's own key
 * is hidden once they are issued); past it they finish in the background.
 */
const DELETE_WAIT_MS = 1000;

export function invalidatesOnSuccess(method: string): boolean {
  return !SAFE_METHODS.has(method);
}

interface Target {
  path: string;
  queryKey: string;
}

/** A `Location` / `Content-Location` value as a URI of this host, resolved against the request; undefined otherwise. */
export function sameHostTarget(value: string, requestUrl: string, host: string | undefined, route: Route): Target | undefined {
  // Without a Host header only a reference without a host can be this host's.
  const base = `http://${host ?? 'cairn.invalid'}${requestUrl}`;
  if (!URL.canParse(value, base)) return undefined;
  const resolved = new URL(value, base);
  if (resolved.hostname !== new URL(base).hostname) return undefined;
  const target = resolved.pathname + resolved.search;
  const path = normalizePath(target);
  return { path, queryKey: urlInvalidationKey(path, keyedQuery(queryOf(target), route.keyConfig.includeQueryParams)) };
}

function targets(exchange: Exchange, route: Route, headers: Record<string, string | string[]>): Target[] {
  const own: Target = { path: exchange.path, queryKey: urlInvalidationKey(exchange.path, exchange.keyedQuery) };
  const out = [own];
  for (const name of ['location', 'content-location']) {
    // Repeated lines make the field invalid (RFC 9110 §10.2.2, §8.7): neither is trusted.
    const field = headers[name];
    const value = Array.isArray(field) ? (field.length === 1 ? field[0] : undefined) : field;
    if (value === undefined) continue;
    const target = sameHostTarget(value.trim(), exchange.url, combinedField(exchange.headers.host), route);
    if (target !== undefined && !out.some((known) => known.queryKey === target.queryKey)) out.push(target);
  }
  return out;
}

/** Removes what the unsafe request's answer made stale; resolves once done or after DELETE_WAIT_MS. */
export async function invalidateAfterUnsafe(exchange: Exchange, context: GatewayContext, route: Route, headers: Record<string, string | string[]>): Promise<void> {
  const link = context.workerLink;
  // Another worker's fill of this key may have answered and not yet committed: removed first,
  // its entry would come back when it commits.
  if (link !== undefined) await link.leasesEnded(exchange.key, DELETE_WAIT_MS);
  const deletions: Array<Promise<unknown>> = [context.store.remove(exchange.key)];
  for (const { path, queryKey } of targets(exchange, route, headers)) {
    deletions.push(
      context.store.deleteIndexed('url', path, (meta) => {
        if (meta.urlPath !== path) return 'unindex';
        return meta.cache === route.cache && meta.urlQueryKey === queryKey ? 'delete' : 'keep';
      }),
    );
  }
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<void>((resolve) => (timer = setTimeout(resolve, DELETE_WAIT_MS)));
  // With WORKERS > 1 the other workers' memory tiers must drop what was removed before the answer goes out.
  await Promise.race([Promise.all(deletions).then(() => link?.syncRemovals(DELETE_WAIT_MS)), bound]);
  clearTimeout(timer);
}
