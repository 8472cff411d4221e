/**
 * The cache key (DESIGN.md §6): cache name, normalized path, and only the configured
 * query parameters, headers and cookies, each sorted by code unit (locale-independent).
 */
import { createHash } from 'node:crypto';
import type { CacheName } from '../contracts/invalidation.js';
import { normalizePath } from './normalize-path.js';

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

/** Keys longer than this end in an MD5 suffix; well under LMDB's 1,978-byte key limit. */
export const MAX_KEY_LENGTH = 1000;
const HASH_SUFFIX_LENGTH = 33;

const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function queryPart(url: string, include: CacheKeyConfig['includeQueryParams']): string {
  const q = url.indexOf('?');
  if (q === -1 || include.length === 0) return '';
  const hash = url.indexOf('#', q);
  const query = url.slice(q + 1, hash === -1 ? undefined : hash);
  const pairs: string[] = [];
  for (const pair of query.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = eq === -1 ? pair : pair.slice(0, eq);
    if (include === 'ALL' || include.includes(name)) pairs.push(eq === -1 ? `${name}=` : pair);
  }
  // Sorting whole `name=value` pairs orders duplicate names by value, so `a=2&a=1` and
  // `a=1&a=2` share a key while both values stay in it.
  return pairs.length === 0 ? '' : `?${pairs.sort(byCodeUnit).join('&')}`;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value;
}

function headerPart(headers: CacheKeyRequest['headers'], include: readonly string[]): string {
  let out = '';
  for (const name of include) {
    const value = headerValue(headers[name]);
    if (value !== undefined) out += `|h:${name}=${value.trim()}`;
  }
  return out;
}

function cookiePart(cookieHeader: string | undefined, include: readonly string[]): string {
  if (cookieHeader === undefined || include.length === 0) return '';
  let out = '';
  const cookies = new Map<string, string>();
  for (const part of cookieHeader.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    const name = part.slice(0, eq).trim();
    if (!cookies.has(name)) cookies.set(name, part.slice(eq + 1).trim());
  }
  for (const name of include) {
    const value = cookies.get(name);
    if (value !== undefined) out += `|c:${name}=${value}`;
  }
  return out;
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
 * `path` may be passed when the caller already normalized it.
 */
export function buildCacheKey(
  cache: CacheName,
  request: CacheKeyRequest,
  config: CacheKeyConfig,
  path: string = normalizePath(request.url),
): string {
  const key =
    `${cache}:${path}` +
    queryPart(request.url, config.includeQueryParams) +
    headerPart(request.headers, config.includeHeaders) +
    cookiePart(headerValue(request.headers.cookie), config.includeCookies);
  if (key.length <= MAX_KEY_LENGTH && Buffer.byteLength(key) <= MAX_KEY_LENGTH) return key;
  const digest = createHash('md5').update(key).digest('hex');
  const head = Buffer.from(key).subarray(0, MAX_KEY_LENGTH - HASH_SUFFIX_LENGTH).toString('utf8');
  return `${head}#${digest}`;
}

/**
 * The key a `url` invalidation targets (DESIGN.md §5): the normalized path of the URL a
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
  const q = target.indexOf('?');
  const hash = target.indexOf('#');
  const query = q === -1 ? '' : target.slice(q + 1, hash > q ? hash : undefined);
  return urlInvalidationKey(normalizePath(target), query);
}
