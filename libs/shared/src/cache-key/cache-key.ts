/**
 * The cache key (docs/request-flow.md): cache name, normalized path, and only the configured
 * query parameters, headers and cookies. The functions that read the keyed parts are the
 * ones a fill uses to build its origin request, so the key describes exactly what is sent.
 */
import { createHash } from 'node:crypto';
import type { CacheName } from '../contracts/invalidation.js';
import { canonicalPath, normalizePath } from './normalize-path.js';

export interface CacheKeyConfig {
  includeHeaders: readonly string[];
  includeQueryParams: readonly string[] | 'ALL';
  includeCookies: readonly string[];
}

export interface CacheKeyRequest {
  /** The request target as received: path and optional query. */
  url: string;
  /** Header values by lowercase name, as node's IncomingHttpHeaders. */
  headers: Readonly<Record<string, string | string[] | undefined>>;
}

/** No key is longer than this, in characters or UTF-8 bytes; well under LMDB's 1,978-byte key limit. */
export const MAX_KEY_LENGTH = 1000;
/** The two `#` and the 32 hex digits a hashed key adds to its cache name and start. */
const HASH_FRAME_LENGTH = 34;

const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Every part of a key is escaped so it cannot contain an unescaped separator: `\` → `\\`,
 * `|` → `\|`. Parts are `path`, `?query`, `|h:name=value`, `|c:name=value`; names never
 * contain `=` (a header or cookie name with one is never present), so the first `=`
 * ends the name. The key therefore decodes to one request only (issue 9).
 */
function escapePart(part: string): string {
  return part.includes('|') || part.includes('\\') ? part.replace(/[\\|]/g, '\\$&') : part;
}

/** The raw query of a request target, without `?`; '' without one. */
export function queryOf(target: string): string {
  const q = target.indexOf('?');
  if (q === -1) return '';
  // A gateway refuses a `#` in the request-target; elsewhere (POST /rules/test) it is the
  // fragment a client never sends.
  const hash = target.indexOf('#', q);
  return target.slice(q + 1, hash === -1 ? undefined : hash);
}

/** The length of a `name[=value]` pair's name. */
const nameLength = (pair: string): number => {
  const eq = pair.indexOf('=');
  return eq === -1 ? pair.length : eq;
};

/** Orders pairs by name by code unit, without slicing the names out (this runs on every hit). */
function byName(a: string, b: string): number {
  const la = nameLength(a);
  const lb = nameLength(b);
  const n = la < lb ? la : lb;
  for (let i = 0; i < n; i++) {
    const d = a.charCodeAt(i) - b.charCodeAt(i);
    if (d !== 0) return d;
  }
  return la - lb;
}

/**
 * A stable sort by name. Insertion sort: queries have a handful of pairs, and for those
 * Array.prototype.sort's setup costs more than the sorting (measured: bench/cache-key.ts).
 */
function sortByName(pairs: string[]): void {
  if (pairs.length > 32) {
    pairs.sort(byName); // stable since ES2019
    return;
  }
  for (let i = 1; i < pairs.length; i++) {
    const pair = pairs[i] as string;
    let j = i - 1;
    while (j >= 0 && byName(pairs[j] as string, pair) > 0) {
      pairs[j + 1] = pairs[j] as string;
      j--;
    }
    pairs[j + 1] = pair;
  }
}

function hasName(pair: string, include: readonly string[]): boolean {
  const length = nameLength(pair);
  for (const name of include) if (name.length === length && pair.startsWith(name)) return true;
  return false;
}

/**
 * The keyed query, without `?`: the kept `name[=value]` pairs exactly as received (no
 * decoding: the origin decodes them), empty pairs dropped, stably sorted by name. Pairs
 * that repeat a name keep the client's relative order, because origins disagree on which
 * of them wins (first, last, a list): `q=evil&q=good` and `q=good&q=evil` are two keys.
 * A fill sends exactly this query.
 */
export function keyedQuery(query: string, include: CacheKeyConfig['includeQueryParams']): string {
  if (query === '' || (include !== 'ALL' && include.length === 0)) return '';
  const parts = query.split('&');
  const pairs: string[] = [];
  let sorted = true;
  for (const pair of parts) {
    if (pair === '' || (include !== 'ALL' && !hasName(pair, include))) continue;
    if (sorted && pairs.length > 0 && byName(pairs[pairs.length - 1] as string, pair) > 0) sorted = false;
    pairs.push(pair);
  }
  if (sorted && pairs.length === parts.length) return query;
  if (!sorted) sortByName(pairs);
  return pairs.join('&');
}

/**
 * A keyed header's value: repeated field lines combined with `, ` (RFC 9110 §5.3; node
 * has already done so for all but a few fields), without surrounding whitespace. A fill
 * sends this value.
 */
export function keyedFieldValue(value: string | readonly string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  return (typeof value === 'string' ? value : value.join(', ')).trim();
}

/**
 * The keyed cookies as `name=value` pairs in key order. A repeated name counts once, with
 * its first value (RFC 6265 §5.4 sends the most specific cookie first). A fill sends
 * exactly these pairs.
 */
export function keyedCookies(cookieHeader: string | readonly string[] | undefined, include: readonly string[]): string[] {
  if (cookieHeader === undefined || include.length === 0) return [];
  const values = new Map<string, string>();
  // Cookie lines are combined with `; ` (RFC 9113 §8.2.3 and node), not `, `.
  const header = typeof cookieHeader === 'string' ? cookieHeader : cookieHeader.join('; ');
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    const name = part.slice(0, eq).trim();
    if (!values.has(name) && include.includes(name)) values.set(name, part.slice(eq + 1).trim());
  }
  const pairs: string[] = [];
  for (const name of include) {
    const value = values.get(name);
    if (value !== undefined) pairs.push(`${name}=${value}`);
  }
  return pairs;
}

function headerPart(headers: CacheKeyRequest['headers'], include: readonly string[]): string {
  let out = '';
  for (const name of include) {
    const value = keyedFieldValue(headers[name]);
    if (value !== undefined) out += `|h:${escapePart(name)}=${escapePart(value)}`;
  }
  return out;
}

function cookiePart(cookieHeader: string | string[] | undefined, include: readonly string[]): string {
  if (cookieHeader === undefined || include.length === 0) return '';
  let out = '';
  for (const pair of keyedCookies(cookieHeader, include)) out += `|c:${escapePart(pair)}`;
  return out;
}

/**
 * Keys over MAX_KEY_LENGTH become `<cache>#<start of the key>#<md5 of the whole key>`
 * (docs/request-flow.md: an MD5 suffix). A verbatim key always has `:` right after the cache name,
 * so no verbatim key can equal a hashed one (issue 9). The start is cut on a UTF-8
 * character boundary so the result stays within MAX_KEY_LENGTH bytes.
 */
function hashedKey(cache: CacheName, key: string): string {
  const digest = createHash('md5').update(key).digest('hex');
  const budget = MAX_KEY_LENGTH - cache.length - HASH_FRAME_LENGTH;
  const rest = Buffer.from(key.slice(cache.length + 1, cache.length + 1 + budget));
  let end = Math.min(budget, rest.length);
  // A continuation byte (10xxxxxx) at the cut means the character started before it.
  while (end > 0 && end < rest.length && ((rest[end] as number) & 0xc0) === 0x80) end--;
  return `${cache}#${rest.toString('utf8', 0, end)}#${digest}`;
}

/** Prepares a key config once: names lowercased/sorted so the key is independent of config order. */
export function compileCacheKeyConfig(config: CacheKeyConfig): CacheKeyConfig {
  return {
    includeHeaders: [...new Set(config.includeHeaders.map((h) => h.toLowerCase()))].sort(byCodeUnit),
    includeQueryParams: config.includeQueryParams === 'ALL' ? 'ALL' : [...config.includeQueryParams],
    includeCookies: [...new Set(config.includeCookies)].sort(byCodeUnit),
  };
}

/**
 * Builds the key for a request. `config` must come from `compileCacheKeyConfig`.
 * `path` and `query` (from `normalizePath` and `keyedQuery`) may be passed when the
 * caller already has them.
 */
export function buildCacheKey(
  cache: CacheName,
  request: CacheKeyRequest,
  config: CacheKeyConfig,
  path: string = canonicalPath(request.url),
  query: string = keyedQuery(queryOf(request.url), config.includeQueryParams),
): string {
  let key = `${cache}:${escapePart(path)}`;
  if (query !== '') key += `?${escapePart(query)}`;
  if (config.includeHeaders.length > 0) key += headerPart(request.headers, config.includeHeaders);
  if (config.includeCookies.length > 0) key += cookiePart(request.headers.cookie, config.includeCookies);
  if (key.length <= MAX_KEY_LENGTH && (key.length * 3 <= MAX_KEY_LENGTH || Buffer.byteLength(key) <= MAX_KEY_LENGTH)) return key;
  return hashedKey(cache, key);
}

/**
 * The key a `url` invalidation targets (README, Invalidation): the normalized path of the URL a
 * client requests, plus its query sorted by pair when it has one. Without a query it names
 * every variant of the path; with one, the entries filled for exactly that query.
 */
export function urlInvalidationKey(path: string, query: string): string {
  if (query === '') return path;
  const pairs = query.split('&').filter((pair) => pair !== '');
  return pairs.length === 0 ? path : `${path}?${pairs.sort(byCodeUnit).join('&')}`;
}

/** The `url` invalidation key for a URL as a client requests it (path with query, or absolute). */
export function urlInvalidationKeyOf(url: string): string {
  const target = url.startsWith('/') ? url : (() => {
    const parsed = new URL(url);
    return `${parsed.pathname}${parsed.search}`;
  })();
  return urlInvalidationKey(normalizePath(target), queryOf(target));
}
