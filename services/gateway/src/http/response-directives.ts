/**
 * What a response's cache directives say to a shared cache (RFC 9111 §5.2.2, RFC 5861,
 * RFC 9213): read from the governing targeted field when there is one, else from
 * Cache-Control. Parsed at store time only; a hit never reads them.
 */
import { parseCacheControl } from './cache-control.js';
import { deltaSeconds } from './delta-seconds.js';
import type { SfValue } from './sf-dictionary.js';
import { governingTargetedField, type TargetedField } from './targeted-cache-control.js';

export interface ResponseDirectives {
  /** Which field the directives came from; Expires only counts with `cache-control`. */
  source: TargetedField | 'cache-control';
  /** Seconds; NaN when present but not delta-seconds (such a response is stale, §4.2.1). */
  sMaxAge: number | undefined;
  maxAge: number | undefined;
  /** Qualified (`no-cache="x"`) or not: either way the response is never fresh here. */
  noCache: boolean;
  noStore: boolean;
  /** Qualified (`private="x"`) or not: either way not for a shared cache. */
  private: boolean;
  public: boolean;
  mustRevalidate: boolean;
  proxyRevalidate: boolean;
  mustUnderstand: boolean;
  /** RFC 5861 windows in seconds; undefined when absent or invalid. */
  staleWhileRevalidate: number | undefined;
  staleIfError: number | undefined;
}

type Fields = Record<string, string | string[] | undefined>;

function cacheControlSeconds(d: ReadonlyMap<string, string>, name: string): number | undefined {
  const value = d.get(name);
  return value === undefined ? undefined : (deltaSeconds(value) ?? NaN);
}

function validWindow(seconds: number | undefined): number | undefined {
  return seconds === undefined || Number.isNaN(seconds) ? undefined : seconds;
}

function fromCacheControl(field: string | string[] | undefined): ResponseDirectives {
  const d = parseCacheControl(field);
  return {
    source: 'cache-control',
    sMaxAge: cacheControlSeconds(d, 's-maxage'),
    maxAge: cacheControlSeconds(d, 'max-age'),
    noCache: d.has('no-cache'),
    noStore: d.has('no-store'),
    private: d.has('private'),
    public: d.has('public'),
    mustRevalidate: d.has('must-revalidate'),
    proxyRevalidate: d.has('proxy-revalidate'),
    mustUnderstand: d.has('must-understand'),
    staleWhileRevalidate: validWindow(cacheControlSeconds(d, 'stale-while-revalidate')),
    staleIfError: validWindow(cacheControlSeconds(d, 'stale-if-error')),
  };
}

/**
 * RFC 9213 §2.1: a directive without a value is Boolean true, an integer argument an
 * Integer. A flag set to `?0` is off; a seconds value of another type (a Decimal
 * max-age, a String, a negative Integer) is invalid freshness, read as stale like an
 * invalid Cache-Control value (RFC 9111 §4.2.1).
 */
function targetedFlag(d: ReadonlyMap<string, SfValue>, name: string): boolean {
  const value = d.get(name);
  return value !== undefined && !(value.type === 'boolean' && !value.value);
}

function targetedSeconds(d: ReadonlyMap<string, SfValue>, name: string): number | undefined {
  const value = d.get(name);
  if (value === undefined) return undefined;
  return value.type === 'integer' && value.value >= 0 ? deltaSeconds(String(value.value)) : NaN;
}

function fromTargeted(source: TargetedField, d: ReadonlyMap<string, SfValue>): ResponseDirectives {
  return {
    source,
    sMaxAge: targetedSeconds(d, 's-maxage'),
    maxAge: targetedSeconds(d, 'max-age'),
    noCache: targetedFlag(d, 'no-cache'),
    noStore: targetedFlag(d, 'no-store'),
    private: targetedFlag(d, 'private'),
    public: targetedFlag(d, 'public'),
    mustRevalidate: targetedFlag(d, 'must-revalidate'),
    proxyRevalidate: targetedFlag(d, 'proxy-revalidate'),
    mustUnderstand: targetedFlag(d, 'must-understand'),
    staleWhileRevalidate: validWindow(targetedSeconds(d, 'stale-while-revalidate')),
    staleIfError: validWindow(targetedSeconds(d, 'stale-if-error')),
  };
}

export function responseDirectives(fields: Fields): ResponseDirectives {
  const targeted = governingTargetedField(fields);
  return targeted === undefined ? fromCacheControl(fields['cache-control']) : fromTargeted(targeted.field, targeted.directives);
}

/**
 * RFC 9111 §4.2.4: a shared cache never serves stale what `must-revalidate`,
 * `proxy-revalidate`, `s-maxage` (§5.2.2.10 implies proxy-revalidate) or `no-cache`
 * forbid, whatever the stale windows say.
 */
export function forbidsStale(d: ResponseDirectives): boolean {
  return d.mustRevalidate || d.proxyRevalidate || d.sMaxAge !== undefined || d.noCache;
}
