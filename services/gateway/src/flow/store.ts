/**
 * store: decides whether a filled response may be stored (rule, request no-store, status,
 * Set-Cookie, private / no-store, Vary, freshness) and writes complete bodies with their
 * fillSeq, keeping only the fields a stored response may carry (http/stored-fields.ts).
 * A 304 to a revalidation updates the stored entry instead (RFC 9111 §4.3.4) and is
 * checked like a new response: one that makes it unstorable removes it (issue 9).
 * Fresh entries record the revalidation's own fillSeq (README, Invalidation), so an invalidation
 * that landed meanwhile wins. Freshness, the response's age (RFC 9111 §4.2.3) and the
 * origin's stale windows are computed here, once, so a hit only compares and subtracts.
 */
import { createHash } from 'node:crypto';
import { urlInvalidationKey } from '@cairn/shared';
import type { GatewayContext, Route } from '../context.js';
import { correctedInitialAgeMs } from '../http/age.js';
import { combinedField, firstFieldLine } from '../http/field-lines.js';
import { storedFreshnessMs } from '../http/freshness.js';
import { forbidsStale, responseDirectives, type ResponseDirectives } from '../http/response-directives.js';
import { unstorableReason } from '../http/storability.js';
import { CDN_CACHE_CONTROL, withheldTargetedFields } from '../http/targeted-cache-control.js';
import { storedFields, updatedFields, type Fields } from '../http/stored-fields.js';
import { variantId } from '../http/vary.js';
import type { CacheEntry, EntryMeta } from '../store/cache-entry.js';
import { isVariant, variantFields } from '../store/variants.js';
import { selectingFields } from '../origin/forward-headers.js';
import type { Exchange } from './exchange.js';
import type { Fetched } from './fetch.js';
import type { DecisionReason } from './outcome.js';

export type StoreDecision = { store: true; lifetimeMs: number } | { store: false; reason: DecisionReason };

/**
 * What a 304 tells about the stored response itself, not about one request: it is no
 * longer fit for a shared cache, so it is removed rather than served to anyone else.
 */
const DROPS_ENTRY: ReadonlySet<DecisionReason> = new Set(['not-storable-status', 'set-cookie', 'origin-private', 'vary-not-in-key']);

/** When a response arrived and how old it already was then (RFC 9111 §4.2.3). */
interface Arrival {
  responseTime: number;
  initialAgeMs: number;
}

/** The arrival of a fetched response (a 200, or the 304 of a revalidation: its own Age and Date). */
export function arrival(fetched: Fetched): Arrival {
  const { requestTime, responseTime } = fetched;
  return { responseTime, initialAgeMs: correctedInitialAgeMs({ age: fetched.headers.age, date: fetched.headers.date, requestTime, responseTime }) };
}

function decide(exchange: Exchange, context: GatewayContext, route: Route, status: number, headers: Fields, arrived: Arrival): StoreDecision {
  if (exchange.match === undefined) return { store: false, reason: 'no-rule' };
  if (exchange.directives.noStore) return { store: false, reason: 'request-no-store' };
  const unstorable = unstorableReason(status, headers, { statuses: context.env.CACHEABLE_STATUSES, keyedHeaders: route.keyConfig.includeHeaders, forwardedHeaders: route.forwardHeaders });
  if (unstorable !== undefined) return { store: false, reason: unstorable };
  // Explicit freshness (the rule's, or the origin's) stores any listed status; heuristic
  // freshness only the heuristically cacheable ones (RFC 9111 §4.2.2).
  const response = { status, fields: headers, directives: responseDirectives(headers), responseTime: arrived.responseTime };
  const lifetime = storedFreshnessMs(exchange.match.ttl, response, arrived.initialAgeMs);
  return lifetime > 0 ? { store: true, lifetimeMs: lifetime } : { store: false, reason: 'no-freshness' };
}

export function storeDecision(exchange: Exchange, context: GatewayContext, route: Route, fetched: Fetched): StoreDecision {
  const decision = decide(exchange, context, route, fetched.status, fetched.headers, arrival(fetched));
  // Known before the body streams, so Cache-Status does not promise a store that cannot happen.
  return !decision.store || context.store.canStore() ? decision : { store: false, reason: 'store-unwritable' };
}

function cacheTags(header: string | string[] | undefined): string[] {
  const joined = combinedField(header);
  if (joined === undefined) return [];
  return [...new Set(joined.split(/[\s,]+/).filter((tag) => tag !== ''))];
}


/**
 * Stored headers always carry validators, so every answer from the store can be
 * conditional, and a Date (RFC 9110 §6.6.1: a cache adds one to a response without).
 * CDN-Cache-Control stays out when it is not forwarded (RFC 9213 §3).
 */
function storedHeaders(headers: Fields, body: Buffer, now: number, responseTime: number, context: GatewayContext): EntryMeta['headers'] {
  const stored = storedFields(headers, context.env.LOAD_TEST_MODE);
  stored.etag ??= `"${createHash('sha1').update(body).digest('base64url').slice(0, 27)}"`;
  stored['last-modified'] ??= new Date(now).toUTCString();
  stored.date ??= new Date(responseTime).toUTCString();
  if (!context.env.FORWARD_CDN_CACHE_CONTROL) delete stored[CDN_CACHE_CONTROL];
  return stored;
}

/** What the origin's directives leave with the entry: may it serve stale, and for how long. */
function staleMeta(d: ResponseDirectives): Pick<EntryMeta, 'noStale' | 'originStaleWhileRevalidateMs' | 'originStaleIfErrorMs'> {
  return {
    noStale: forbidsStale(d),
    originStaleWhileRevalidateMs: d.staleWhileRevalidate === undefined ? undefined : d.staleWhileRevalidate * 1000,
    originStaleIfErrorMs: d.staleIfError === undefined ? undefined : d.staleIfError * 1000,
  };
}

function expiresAt(now: number, lifetime: number): number {
  return lifetime === Infinity ? 0 : now + lifetime;
}

/** Writes a complete filled body; undefined when the invalidation feed was reset meanwhile or the store cannot write. */
export function writeEntry(exchange: Exchange, context: GatewayContext, route: Route, fetched: Fetched, body: Buffer, lifetime: number, now: number): CacheEntry | undefined {
  if (fetched.fillEpoch !== context.invalidations.epoch) return undefined;
  const match = exchange.match;
  if (match === undefined) return undefined;
  // Stored as of its arrival: the rule's TTL and the Age on hits count from then.
  const storedAt = fetched.responseTime;
  const meta: EntryMeta = {
    status: fetched.status,
    headers: storedHeaders(fetched.headers, body, now, storedAt, context),
    originEtag: firstFieldLine(fetched.headers.etag),
    originLastModified: firstFieldLine(fetched.headers['last-modified']),
    ...staleMeta(responseDirectives(fetched.headers)),
    cache: route.cache,
    ruleId: match.rule.id,
    groupCode: match.rule.groupCode,
    tags: context.cacheConfig.cacheTagsHeader === undefined ? [] : cacheTags(fetched.headers[context.cacheConfig.cacheTagsHeader]),
    url: exchange.url,
    urlPath: exchange.path,
    urlQueryKey: urlInvalidationKey(exchange.path, exchange.keyedQuery),
    storedAt,
    expiresAt: expiresAt(storedAt, lifetime),
    fillSeq: fetched.fillSeq,
    initialAgeMs: arrival(fetched).initialAgeMs,
    targetedFields: withheldTargetedFields(fetched.headers, context.env.FORWARD_CDN_CACHE_CONTROL),
    fillFields: selectingFields(exchange.headers, route, context.cacheConfig.apiHeader),
    ...variantOf(exchange, route, fetched.headers.vary),
  };
  if (!putEntry(context, exchange.urlKey, meta, body)) {
    // Disk full: the answer is delivered and shared with waiters, but it was not stored.
    exchange.storing = false;
    exchange.notStoredReason = 'store-unwritable';
    return undefined;
  }
  stored(exchange, context, route, meta, body);
  return { meta, body };
}

/** A fill or revalidation was stored: counted, and offered to the peers (README, Active caching). */
function stored(exchange: Exchange, context: GatewayContext, route: Route, meta: EntryMeta, body: Buffer): void {
  context.metrics.stores.inc({ cache: route.cache });
  if (exchange.replicates) context.replication?.offer(exchange.urlKey, meta, body, exchange.warmId);
}

/**
 * The fields a revalidated response is judged by (RFC 9111 §4.3.4): the updated stored
 * ones, with the targeted fields kept apart, and only the origin's own Last-Modified (the
 * one the store made up must not feed the heuristic, §4.2.2).
 */
function revalidatedFields(headers: Fields, targeted: Record<string, string> | undefined, originLastModified: string | undefined): Fields {
  const fields: Fields = { ...headers, ...targeted };
  if (originLastModified === undefined) delete fields['last-modified'];
  else fields['last-modified'] = originLastModified;
  return fields;
}

/**
 * Under the URL key, or as the variant for this request's values of the forwarded fields
 * the response's Vary names (store/variants.ts). A response that no longer varies on them
 * replaces the URL key's marker, and with it every variant.
 */
export function putEntry(context: GatewayContext, urlKey: string, meta: EntryMeta, body: Buffer): boolean {
  return isVariant(meta) ? context.store.putVariant(urlKey, meta, body, context.env.MAX_VARIANTS_PER_KEY) : context.store.put(urlKey, meta, body);
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
export async function refreshEntry(exchange: Exchange, context: GatewayContext, route: Route, entry: CacheEntry, fetched: Fetched): Promise<Revalidation> {
  const forwardCdn = context.env.FORWARD_CDN_CACHE_CONTROL;
  const headers = updatedFields(entry.meta.headers, fetched.headers, context.env.LOAD_TEST_MODE);
  if (fetched.headers.date === undefined) headers.date = new Date(fetched.responseTime).toUTCString();
  if (!forwardCdn) delete headers[CDN_CACHE_CONTROL];
  const originLastModified = firstFieldLine(fetched.headers['last-modified']) ?? entry.meta.originLastModified;
  const targetedFields = withheldTargetedFields({ ...entry.meta.targetedFields, ...fetched.headers }, forwardCdn);
  const fields = revalidatedFields(headers, targetedFields, originLastModified);
  const arrived = arrival(fetched);
  const decision = decide(exchange, context, route, entry.meta.status, fields, arrived);
  const stale = staleMeta(responseDirectives(fields));
  const storedAt = arrived.responseTime;
  const meta: EntryMeta = {
    ...entry.meta,
    headers,
    originEtag: firstFieldLine(fetched.headers.etag) ?? entry.meta.originEtag,
    originLastModified,
    ...stale,
    noStale: !decision.store || stale.noStale,
    storedAt,
    expiresAt: decision.store ? expiresAt(storedAt, decision.lifetimeMs) : storedAt,
    fillSeq: fetched.fillSeq,
    initialAgeMs: arrived.initialAgeMs,
    targetedFields,
    // A 304 may bring or change Vary (§4.3.4 updates it): the entry is selected by its new fields.
    varyOn: undefined,
    variantId: undefined,
    ...variantOf(exchange, route, headers.vary),
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
  // Through the URL key, like a fill: a variant's marker lists it again as the most recent.
  if (!putEntry(context, exchange.urlKey, meta, entry.body)) return { entry: updated, notStored: 'store-unwritable', dropped: false };
  stored(exchange, context, route, meta, entry.body);
  return { entry: updated, notStored: undefined, dropped: false };
}
