/**
 * store: decides whether a filled response may be stored (rule, request no-store, status,
 * Set-Cookie, private / no-store, Vary, freshness) and writes complete bodies with their
 * fillSeq. A 304 to a revalidation refreshes the stored entry instead (DESIGN.md §5: it
 * records the revalidation's own fillSeq, so an invalidation that landed meanwhile wins).
 */
import { createHash } from 'node:crypto';
import { urlInvalidationKey } from '@cairn/shared';
import type { GatewayContext, Route } from '../context.js';
import { forbidsStale } from '../http/cache-control.js';
import { freshnessLifetimeMs } from '../http/freshness.js';
import { unstorableReason } from '../http/storability.js';
import type { CacheEntry, EntryMeta } from '../store/cache-entry.js';
import type { Exchange } from './exchange.js';
import type { Fetched } from './fetch.js';
import type { DecisionReason } from './outcome.js';

export type StoreDecision = { store: true; lifetimeMs: number } | { store: false; reason: DecisionReason };

/** Headers a 304 may not replace: they describe the stored body, not the revalidation. */
const BODY_HEADERS = new Set(['content-length', 'content-encoding', 'content-type', 'transfer-encoding']);

function lifetimeMs(exchange: Exchange, status: number, headers: Fetched['headers']): number {
  if (exchange.match === undefined) return 0;
  return freshnessLifetimeMs(exchange.match.ttl, { method: 'GET', url: exchange.url, requestHeaders: exchange.headers, status, responseHeaders: headers });
}

export function storeDecision(exchange: Exchange, context: GatewayContext, route: Route, fetched: Fetched): StoreDecision {
  if (exchange.match === undefined) return { store: false, reason: 'no-rule' };
  if (exchange.directives.noStore) return { store: false, reason: 'request-no-store' };
  const unstorable = unstorableReason(fetched.status, fetched.headers, { statuses: context.env.CACHEABLE_STATUSES, keyedHeaders: route.keyConfig.includeHeaders });
  if (unstorable !== undefined) return { store: false, reason: unstorable };
  const lifetime = lifetimeMs(exchange, fetched.status, fetched.headers);
  return lifetime > 0 ? { store: true, lifetimeMs: lifetime } : { store: false, reason: 'no-freshness' };
}

function cacheTags(header: string | string[] | undefined): string[] {
  if (header === undefined) return [];
  const joined = Array.isArray(header) ? header.join(',') : header;
  return [...new Set(joined.split(/[\s,]+/).filter((tag) => tag !== ''))];
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Stored headers always carry validators, so every answer from the store can be conditional. */
function storedHeaders(headers: Fetched['headers'], body: Buffer, now: number): EntryMeta['headers'] {
  const stored: EntryMeta['headers'] = { ...headers };
  // The body is stored whole; the length is the body's when it is delivered.
  delete stored['content-length'];
  stored.etag ??= `"${createHash('sha1').update(body).digest('base64url').slice(0, 27)}"`;
  stored['last-modified'] ??= new Date(now).toUTCString();
  return stored;
}

function expiresAt(now: number, lifetime: number): number {
  return lifetime === Infinity ? 0 : now + lifetime;
}

/** Writes a complete filled body; undefined when the invalidation feed was reset meanwhile. */
export function writeEntry(exchange: Exchange, context: GatewayContext, route: Route, fetched: Fetched, body: Buffer, lifetime: number, now: number): CacheEntry | undefined {
  if (fetched.fillEpoch !== context.invalidations.epoch) return undefined;
  const match = exchange.match;
  if (match === undefined) return undefined;
  const meta: EntryMeta = {
    status: fetched.status,
    headers: storedHeaders(fetched.headers, body, now),
    originEtag: single(fetched.headers.etag),
    originLastModified: single(fetched.headers['last-modified']),
    noStale: forbidsStale(fetched.headers['cache-control']),
    cache: route.cache,
    ruleId: match.rule.id,
    groupCode: match.rule.groupCode,
    tags: context.cacheConfig.cacheTagsHeader === undefined ? [] : cacheTags(fetched.headers[context.cacheConfig.cacheTagsHeader]),
    url: exchange.url,
    urlPath: exchange.path,
    urlQueryKey: urlInvalidationKey(exchange.path, exchange.query),
    storedAt: now,
    expiresAt: expiresAt(now, lifetime),
    fillSeq: fetched.fillSeq,
  };
  context.store.put(exchange.key, meta, body);
  context.metrics.stores.inc({ cache: route.cache });
  return { meta, body };
}

/**
 * A 304 to a revalidation: the stored body is current. Its headers are updated from the
 * 304 and its freshness restarts; fillSeq becomes the revalidation's.
 */
export function refreshEntry(exchange: Exchange, context: GatewayContext, route: Route, entry: CacheEntry, fetched: Fetched, now: number): CacheEntry {
  const headers: EntryMeta['headers'] = { ...entry.meta.headers };
  for (const [name, value] of Object.entries(fetched.headers)) if (!BODY_HEADERS.has(name)) headers[name] = value;
  const lifetime = lifetimeMs(exchange, entry.meta.status, headers);
  const meta: EntryMeta = {
    ...entry.meta,
    headers,
    originEtag: single(fetched.headers.etag) ?? entry.meta.originEtag,
    originLastModified: single(fetched.headers['last-modified']) ?? entry.meta.originLastModified,
    noStale: forbidsStale(headers['cache-control']),
    storedAt: now,
    expiresAt: expiresAt(now, lifetime),
    fillSeq: fetched.fillSeq,
  };
  const refreshed = { meta, body: entry.body };
  if (lifetime > 0 && fetched.fillEpoch === context.invalidations.epoch) {
    context.store.put(exchange.key, meta, entry.body);
    context.metrics.stores.inc({ cache: route.cache });
    exchange.storing = true;
  }
  return refreshed;
}
