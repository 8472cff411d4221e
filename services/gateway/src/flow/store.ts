/**
 * store: decides whether a filled response may be stored (rule, request no-store, status,
 * Set-Cookie, private / no-store, Vary, freshness) and writes complete bodies with their
 * fillSeq, keeping only the fields a stored response may carry (http/stored-fields.ts).
 * A 304 to a revalidation updates the stored entry instead (RFC 9111 §4.3.4) and is
 * checked like a new response: one that makes it unstorable removes it (issue 9).
 * Fresh entries record the revalidation's own fillSeq (README, Invalidation), so an invalidation
 * that landed meanwhile wins.
 */
import { createHash } from 'node:crypto';
import { urlInvalidationKey } from '@cairn/shared';
import type { GatewayContext, Route } from '../context.js';
import { forbidsStale } from '../http/cache-control.js';
import { freshnessLifetimeMs } from '../http/freshness.js';
import { unstorableReason } from '../http/storability.js';
import { storedFields, updatedFields, type Fields } from '../http/stored-fields.js';
import { variantId } from '../http/vary.js';
import type { CacheEntry, EntryMeta } from '../store/cache-entry.js';
import { isVariant, variantFields } from '../store/variants.js';
import type { Exchange } from './exchange.js';
import type { Fetched } from './fetch.js';
import type { DecisionReason } from './outcome.js';

export type StoreDecision = { store: true; lifetimeMs: number } | { store: false; reason: DecisionReason };

/**
 * What a 304 tells about the stored response itself, not about one request: it is no
 * longer fit for a shared cache, so it is removed rather than served to anyone else.
 */
const DROPS_ENTRY: ReadonlySet<DecisionReason> = new Set(['not-storable-status', 'set-cookie', 'origin-private', 'vary-not-in-key']);

function lifetimeMs(exchange: Exchange, status: number, headers: Fields): number {
  if (exchange.match === undefined) return 0;
  return freshnessLifetimeMs(exchange.match.ttl, { method: 'GET', url: exchange.url, requestHeaders: exchange.headers, status, responseHeaders: headers });
}

function decide(exchange: Exchange, context: GatewayContext, route: Route, status: number, headers: Fields): StoreDecision {
  if (exchange.match === undefined) return { store: false, reason: 'no-rule' };
  if (exchange.directives.noStore) return { store: false, reason: 'request-no-store' };
  const unstorable = unstorableReason(status, headers, { statuses: context.env.CACHEABLE_STATUSES, keyedHeaders: route.keyConfig.includeHeaders, forwardedHeaders: route.forwardHeaders });
  if (unstorable !== undefined) return { store: false, reason: unstorable };
  const lifetime = lifetimeMs(exchange, status, headers);
  return lifetime > 0 ? { store: true, lifetimeMs: lifetime } : { store: false, reason: 'no-freshness' };
}

export function storeDecision(exchange: Exchange, context: GatewayContext, route: Route, fetched: Fetched): StoreDecision {
  const decision = decide(exchange, context, route, fetched.status, fetched.headers);
  // Known before the body streams, so Cache-Status does not promise a store that cannot happen.
  return !decision.store || context.store.canStore() ? decision : { store: false, reason: 'store-unwritable' };
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
function storedHeaders(headers: Fields, body: Buffer, now: number, syntheticOrigin: boolean): EntryMeta['headers'] {
  const stored = storedFields(headers, syntheticOrigin);
  stored.etag ??= `"${createHash('sha1').update(body).digest('base64url').slice(0, 27)}"`;
  stored['last-modified'] ??= new Date(now).toUTCString();
  return stored;
}

function expiresAt(now: number, lifetime: number): number {
  return lifetime === Infinity ? 0 : now + lifetime;
}

/** Writes a complete filled body; undefined when the invalidation feed was reset meanwhile or the store cannot write. */
export function writeEntry(exchange: Exchange, context: GatewayContext, route: Route, fetched: Fetched, body: Buffer, lifetime: number, now: number): CacheEntry | undefined {
  if (fetched.fillEpoch !== context.invalidations.epoch) return undefined;
  const match = exchange.match;
  if (match === undefined) return undefined;
  const meta: EntryMeta = {
    status: fetched.status,
    headers: storedHeaders(fetched.headers, body, now, context.env.LOAD_TEST_MODE),
    originEtag: single(fetched.headers.etag),
    originLastModified: single(fetched.headers['last-modified']),
    noStale: forbidsStale(fetched.headers['cache-control']),
    cache: route.cache,
    ruleId: match.rule.id,
    groupCode: match.rule.groupCode,
    tags: context.cacheConfig.cacheTagsHeader === undefined ? [] : cacheTags(fetched.headers[context.cacheConfig.cacheTagsHeader]),
    url: exchange.url,
    urlPath: exchange.path,
    urlQueryKey: urlInvalidationKey(exchange.path, exchange.keyedQuery),
    storedAt: now,
    expiresAt: expiresAt(now, lifetime),
    fillSeq: fetched.fillSeq,
    ...variantOf(exchange, route, fetched.headers.vary),
  };
  if (!put(exchange, context, meta, body)) {
    // Disk full: the answer is delivered and shared with waiters, but it was not stored.
    exchange.storing = false;
    exchange.notStoredReason = 'store-unwritable';
    return undefined;
  }
  context.metrics.stores.inc({ cache: route.cache });
  return { meta, body };
}

/**
 * Under the URL key, or as the variant for this request's values of the forwarded fields
 * the response's Vary names (store/variants.ts). A response that no longer varies on them
 * replaces the URL key's marker, and with it every variant.
 */
function put(exchange: Exchange, context: GatewayContext, meta: EntryMeta, body: Buffer): boolean {
  return isVariant(meta) ? context.store.putVariant(exchange.urlKey, meta, body, context.env.MAX_VARIANTS_PER_KEY) : context.store.put(exchange.urlKey, meta, body);
}

/** The variant fields and id of a response for this request; none when its Vary names no forwarded field. */
export function variantOf(exchange: Exchange, route: Route, vary: string | string[] | undefined): Pick<EntryMeta, 'varyOn' | 'variantId'> {
  const varyOn = variantFields(vary, route.keyConfig.includeHeaders, route.forwardHeaders);
  return varyOn.length === 0 ? {} : { varyOn, variantId: variantId(varyOn, exchange.headers) };
}

/** What a 304 to a revalidation did. */
export interface Revalidation {
  /** What the revalidating client gets: the stored body with the fields as the 304 updated them. */
  entry: CacheEntry;
  /** Why the updated entry was not stored; undefined when it was. */
  notStored: DecisionReason | undefined;
  /** The 304 made the response unfit for a shared cache: the stored entry was removed. */
  dropped: boolean;
}

/**
 * A 304 to a revalidation: the stored body is current. Its fields are updated from the
 * 304 (RFC 9111 §4.3.4) and the result is decided like any fetched response. Storable:
 * stored with fresh deadlines and the revalidation's fillSeq. Not storable for a reason
 * of the response's own (Set-Cookie, private / no-store, a Vary outside the key): the
 * entry is removed and the updated response goes to this client only. Not storable for
 * this request or for lack of freshness: the stored entry stays as it was.
 */
export async function refreshEntry(exchange: Exchange, context: GatewayContext, route: Route, entry: CacheEntry, fetched: Fetched, now: number): Promise<Revalidation> {
  const headers = updatedFields(entry.meta.headers, fetched.headers, context.env.LOAD_TEST_MODE);
  const decision = decide(exchange, context, route, entry.meta.status, headers);
  const meta: EntryMeta = {
    ...entry.meta,
    headers,
    originEtag: single(fetched.headers.etag) ?? entry.meta.originEtag,
    originLastModified: single(fetched.headers['last-modified']) ?? entry.meta.originLastModified,
    noStale: !decision.store || forbidsStale(headers['cache-control']),
    storedAt: now,
    expiresAt: decision.store ? expiresAt(now, decision.lifetimeMs) : now,
    fillSeq: fetched.fillSeq,
  };
  const updated = { meta, body: entry.body };
  if (!decision.store) {
    const dropped = DROPS_ENTRY.has(decision.reason);
    if (dropped) {
      await context.store.remove(exchange.key);
      context.metrics.revalidationDrops.inc({ reason: decision.reason });
    }
    return { entry: updated, notStored: decision.reason, dropped };
  }
  if (fetched.fillEpoch !== context.invalidations.epoch) return { entry: updated, notStored: 'feed-reset', dropped: false };
  if (!context.store.put(exchange.key, meta, entry.body)) return { entry: updated, notStored: 'store-unwritable', dropped: false };
  context.metrics.stores.inc({ cache: route.cache });
  return { entry: updated, notStored: undefined, dropped: false };
}
