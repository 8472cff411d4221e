/**
 * The client's request cache directives (RFC 9111 §5.2.1, `Pragma` §5.4) and what they
 * demand of a stored response under REQUEST_CACHE_CONTROL (docs/http-semantics.md, Request Cache-Control policy).
 * Parsed once per request; the policy is applied at lookup. `max-stale` is not honoured:
 * a cache may always serve fresher than the client tolerates (§5.2.1.2).
 */
import { parseCacheControl } from './cache-control.js';
import { deltaSeconds } from './delta-seconds.js';
import { combinedField } from './field-lines.js';

/** `ignore`: only no-store and only-if-cached count (CDNs, nginx, Varnish); `honor`: all of them. */
export type RequestCacheControlPolicy = 'ignore' | 'honor';

export interface RequestDirectives {
  /** `no-cache` (or `Pragma: no-cache` without a Cache-Control field): validate with the origin first. */
  noCache: boolean;
  /** `max-age=N` in seconds: the client wants a response no older than this. */
  maxAgeSeconds: number | undefined;
  /** `min-fresh=N` in seconds: the response must stay fresh at least this much longer. */
  minFreshSeconds: number | undefined;
  /** `no-store`: the response to this request is not stored. */
  noStore: boolean;
  /** `only-if-cached`: answer from the cache or 504; never contact the origin. */
  onlyIfCached: boolean;
}

/** Why a stored, fresh response must be validated before this client gets it. */
export type RevalidationDemand = 'request-no-cache' | 'request-max-age' | 'request-min-fresh';

const NO_REQUEST_DIRECTIVES: RequestDirectives = { noCache: false, maxAgeSeconds: undefined, minFreshSeconds: undefined, noStore: false, onlyIfCached: false };

/** delta-seconds (§1.2.2); an invalid value leaves the directive out (it cannot be honoured as meant). */
function seconds(value: string | undefined): number | undefined {
  return value === undefined ? undefined : deltaSeconds(value);
}

/** `Pragma: no-cache` alone; other pragma directives mean nothing here (§5.4). */
function pragmaNoCache(pragma: string | string[] | undefined): boolean {
  const joined = combinedField(pragma);
  if (joined === undefined) return false;
  return joined.split(',').some((directive) => directive.trim().toLowerCase() === 'no-cache');
}

export function requestDirectives(cacheControl: string | string[] | undefined, pragma: string | string[] | undefined): RequestDirectives {
  // §5.4: Pragma is read only when the request has no Cache-Control field.
  if (cacheControl === undefined) return pragmaNoCache(pragma) ? { ...NO_REQUEST_DIRECTIVES, noCache: true } : NO_REQUEST_DIRECTIVES;
  const d = parseCacheControl(cacheControl);
  if (d.size === 0) return NO_REQUEST_DIRECTIVES;
  return {
    noCache: d.has('no-cache'),
    maxAgeSeconds: seconds(d.get('max-age')),
    minFreshSeconds: seconds(d.get('min-fresh')),
    noStore: d.has('no-store'),
    onlyIfCached: d.has('only-if-cached'),
  };
}

/**
 * Under `honor`, whether the directives send a fresh stored response to the origin for
 * validation: `no-cache` (§5.2.1.4), `max-age` below its age (§5.2.1.1, so `max-age=0`
 * always), `min-fresh` above its remaining freshness (§5.2.1.3). Under `ignore`, never.
 * `remainingMs` is Infinity for an entry that never expires.
 */
export function revalidationDemand(directives: RequestDirectives, policy: RequestCacheControlPolicy, ageMs: number, remainingMs: number): RevalidationDemand | undefined {
  if (policy === 'ignore' || directives === NO_REQUEST_DIRECTIVES) return undefined;
  if (directives.noCache) return 'request-no-cache';
  // Age is counted in whole seconds (§4.2.3), so max-age=0 holds for a response stored just now.
  if (directives.maxAgeSeconds !== undefined && (directives.maxAgeSeconds === 0 || Math.floor(ageMs / 1000) > directives.maxAgeSeconds)) return 'request-max-age';
  if (directives.minFreshSeconds !== undefined && remainingMs < directives.minFreshSeconds * 1000) return 'request-min-fresh';
  return undefined;
}
