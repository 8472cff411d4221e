/**
 * How long a stored response stays fresh, counted from when it arrived. A rule's duration
 * or `never` is operator policy and counts from storage; `origin_expires` takes the
 * origin's freshness lifetime for a shared cache (RFC 9111 §4.2.1) less the age the
 * response already had (§4.2.3). Stale windows (RFC 5861) are never freshness.
 */
import type { TtlPolicy } from '@cairn/shared';
import { combinedField } from './field-lines.js';
import { parseHttpDate } from './http-date.js';
import type { ResponseDirectives } from './response-directives.js';

/** RFC 9110 §15.1: statuses a cache may give heuristic freshness without explicit permission. */
export const HEURISTICALLY_CACHEABLE: ReadonlySet<number> = new Set([200, 203, 204, 300, 301, 308, 404, 405, 410, 414, 501]);

/** §4.2.2: the typical fraction of the time since Last-Modified. */
const HEURISTIC_FRACTION = 0.1;

type Fields = Record<string, string | string[] | undefined>;

export interface OriginResponse {
  status: number;
  fields: Fields;
  directives: ResponseDirectives;
  /** §4.2.3 response_time: the Date a response without one is taken to have. */
  responseTime: number;
}

/**
 * §4.2.2: only without explicit expiration, for a heuristically cacheable status or a
 * `public` response, from Last-Modified; none without it.
 */
function heuristicLifetimeMs(response: OriginResponse, date: number): number {
  if (!HEURISTICALLY_CACHEABLE.has(response.status) && !response.directives.public) return 0;
  const lastModified = parseHttpDate(combinedField(response.fields['last-modified']), response.responseTime);
  return lastModified === undefined || lastModified >= date ? 0 : Math.floor((date - lastModified) * HEURISTIC_FRACTION);
}

/**
 * §4.2.1 for a shared cache: s-maxage, then max-age, then Expires − Date, then the
 * heuristic. `no-cache` (qualified or not) means never fresh; an invalid s-maxage or
 * max-age, or an invalid Expires (§5.3: `0`, garbage, two of them), means already stale.
 * A targeted field (RFC 9213 §2.2) replaces Expires as it replaces Cache-Control.
 */
export function freshnessLifetimeMs(response: OriginResponse): number {
  const d = response.directives;
  if (d.noCache) return 0;
  const explicit = d.sMaxAge ?? d.maxAge;
  if (explicit !== undefined) return Number.isNaN(explicit) ? 0 : explicit * 1000;
  const date = parseHttpDate(combinedField(response.fields.date), response.responseTime) ?? response.responseTime;
  const expires = d.source === 'cache-control' ? combinedField(response.fields.expires) : undefined;
  if (expires !== undefined) {
    const at = parseHttpDate(expires, response.responseTime);
    return at === undefined ? 0 : Math.max(0, at - date);
  }
  return heuristicLifetimeMs(response, date);
}

/**
 * Milliseconds of freshness left from when the response arrived, `Infinity` for `never`,
 * 0 when it would arrive stale (it is then not stored). `initialAgeMs` is §4.2.3's
 * corrected_initial_age: `max-age=600` with `Age: 500` is fresh 100 s.
 */
export function storedFreshnessMs(ttl: TtlPolicy, response: OriginResponse, initialAgeMs: number): number {
  switch (ttl.kind) {
    case 'duration':
      return ttl.seconds * 1000;
    case 'never':
      return Infinity;
    case 'no_cache':
      return 0;
    case 'origin_expires':
      return Math.max(0, freshnessLifetimeMs(response) - initialAgeMs);
  }
}
