/**
 * lookup: only GET and HEAD use the cache; `x-cairn-cache-bypass: true` skips it. A client's
 * no-cache / max-age / min-fresh count only under REQUEST_CACHE_CONTROL=honor. A stored
 * entry is a HIT only while fresh and not invalidated: an applicable invalidation with a
 * higher sequence than the entry's fillSeq makes it a MISS, whatever the clocks say
 * (README, Invalidation), and an invalidated entry is never served, not even stale.
 *
 * Past its TTL, or soft-purged, an entry is served STALE while its stale-while-revalidate
 * window lasts (the rule's, else the origin's; flow/stale-windows.ts), unless the origin
 * forbade stale; otherwise it is a MISS that keeps the entry on the exchange, for a
 * conditional revalidation and for stale-if-error.
 *
 * Entries may come from the memory tier (store/memory-tier.ts): the same checks run on them.
 */
import { headers } from '@cairn/shared';
import type { GatewayContext } from '../context.js';
import { Verdict } from '../control/invalidation-map.js';
import { currentAgeMs } from '../http/age.js';
import { revalidationDemand } from '../http/request-directives.js';
import { variantId } from '../http/vary.js';
import type { CacheEntry, EntryMeta } from '../store/cache-entry.js';
import { isVariantMarker, variantKey } from '../store/variants.js';
import type { Exchange } from './exchange.js';
import { refreshAheadMs, staleWhileRevalidateMs } from './stale-windows.js';

/**
 * `refreshAhead`: a HIT close enough to its expiry that it is refreshed in the background
 * (the rule's refreshAhead). `refresh`: a STALE answer is refreshed in the background now;
 * false while a refresh invalidation's chosen gateway is fetching it for the fleet.
 */
export type LookupResult =
  | { kind: 'hit'; refreshAhead: boolean }
  | { kind: 'stale'; refresh: boolean }
  | { kind: 'miss' }
  | { kind: 'pass' }
  | { kind: 'bypass' }
  | { kind: 'unavailable' };

const PASS: LookupResult = { kind: 'pass' };
const BYPASS: LookupResult = { kind: 'bypass' };
const HIT: LookupResult = { kind: 'hit', refreshAhead: false };
const HIT_REFRESHING_AHEAD: LookupResult = { kind: 'hit', refreshAhead: true };
const STALE: LookupResult = { kind: 'stale', refresh: true };
const STALE_AWAITING_REFRESH: LookupResult = { kind: 'stale', refresh: false };
const MISS: LookupResult = { kind: 'miss' };
const UNAVAILABLE: LookupResult = { kind: 'unavailable' };

export function lookup(exchange: Exchange, context: GatewayContext, now: number): LookupResult {
  if (exchange.method !== 'GET' && exchange.method !== 'HEAD') {
    exchange.decide('PASS', 'method');
    return PASS;
  }
  if (exchange.headers[headers.bypass] === 'true') {
    exchange.decide('BYPASS', 'bypass-header');
    return BYPASS;
  }
  const result = find(exchange, context, now);
  if (result === MISS && exchange.directives.onlyIfCached) {
    exchange.decide('MISS', 'only-if-cached');
    return UNAVAILABLE;
  }
  return result;
}

/**
 * The URL key's marker names the Vary fields its variants were selected by: this request's
 * variant is the one for its values of them, and only while the marker lists it. The
 * exchange then reads, fills and coalesces on the variant's key.
 */
function variantFor(exchange: Exchange, context: GatewayContext, marker: EntryMeta): CacheEntry | undefined {
  const id = variantId(marker.varyOn ?? [], exchange.headers);
  exchange.key = variantKey(exchange.urlKey, id);
  return marker.variants?.includes(id) === true ? context.store.get(exchange.key) : undefined;
}

function find(exchange: Exchange, context: GatewayContext, now: number): LookupResult {
  const store = context.store;
  const key = exchange.key;
  const stored = store.get(key);
  let entry = stored !== undefined && isVariantMarker(stored.meta) ? variantFor(exchange, context, stored.meta) : stored;
  if (entry === undefined && stored !== undefined && store.fromMemory(key, stored)) {
    // A marker from memory: another worker process may have stored this request's variant since.
    const current = store.reread(key);
    entry = current !== undefined && isVariantMarker(current.meta) ? variantFor(exchange, context, current.meta) : current;
  }
  if (entry === undefined) return absent(exchange, context, now);
  const result = judge(exchange, context, entry, now);
  // The memory tier holds what this process read, and another worker process may have
  // refilled or removed the key since: what would not be a fresh HIT is decided again on
  // what LMDB holds now, so no process fills a key another has refilled. A fresh HIT is
  // served from memory: the invalidation map and the clocks judged it as they would on disk.
  if (result.kind === 'hit' || !store.fromMemory(exchange.key, entry)) return result;
  const current = store.reread(exchange.key);
  exchange.entry = undefined;
  return current === undefined ? absent(exchange, context, now) : judge(exchange, context, current, now);
}

/**
 * refreshAhead: the entry expires within the rule's window. Each gateway's window is scaled
 * by its own factor for the key (from 1/2 to 1), so across a fleet one gateway starts first
 * and its replicated answer reaches the others before their (shorter) windows open.
 */
function refreshesAhead(exchange: Exchange, context: GatewayContext, expiresAt: number, now: number): boolean {
  if (expiresAt === 0) return false;
  const window = refreshAheadMs(exchange.match?.rule);
  if (window === 0 || expiresAt - now > window) return false;
  return expiresAt - now <= window * (0.5 + fleetSpread(context.env.GATEWAY_ID, exchange.key) / 2);
}

/** A number in [0, 1) fixed for a gateway and a key (FNV-1a). */
function fleetSpread(gatewayId: string, key: string): number {
  return (fnv1a(fnv1a(0x811c9dc5, gatewayId), key) >>> 0) / 0x100000000;
}

function fnv1a(hash: number, text: string): number {
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash;
}

/**
 * Whether this gateway refreshes a refresh-pending entry itself now: it was chosen, none
 * was, or the chosen one's answer has not arrived within REFRESH_WAIT_MS (it may be gone).
 */
function refreshesNow(context: GatewayContext, now: number): boolean {
  const pending = context.invalidations.map.pendingRefresh;
  if (pending === undefined || pending.refreshBy === undefined || pending.refreshBy === context.env.GATEWAY_ID) return true;
  return now - pending.appliedAt > context.env.REFRESH_WAIT_MS;
}

function absent(exchange: Exchange, context: GatewayContext, now: number): LookupResult {
  exchange.decide('MISS', context.fills.isHitForMiss(exchange.key, now) ? 'hit-for-miss' : 'absent');
  return MISS;
}

/** Whether a stored entry is a HIT, STALE or MISS; a servable one goes on the exchange. */
function judge(exchange: Exchange, context: GatewayContext, entry: CacheEntry, now: number): LookupResult {
  const verdict = context.invalidations.map.verdict(entry.meta, entry.meta.fillSeq);
  if (verdict === Verdict.Hard) {
    exchange.decide('MISS', 'invalidated');
    return MISS;
  }
  exchange.entry = entry;
  const expiresAt = entry.meta.expiresAt;
  // REQUEST_CACHE_CONTROL=honor: the client's no-cache / max-age / min-fresh send even a fresh
  // entry to the origin, conditionally and coalesced (miss → fill); under ignore they never do.
  const demand = revalidationDemand(exchange.directives, context.env.REQUEST_CACHE_CONTROL, currentAgeMs(entry.meta, now), expiresAt === 0 ? Infinity : expiresAt - now);
  if (demand !== undefined) {
    exchange.decide('MISS', demand);
    return MISS;
  }
  // Without the feed an invalidation may have gone unseen: ask the origin (stale only if it fails).
  if (context.feedHealth.lost(now)) {
    exchange.decide('MISS', 'feed-lost');
    return MISS;
  }
  // Events older than the stream's retention are gone from it, so the map cannot vouch
  // for an entry filled (or last revalidated) before them.
  if (now - entry.meta.storedAt > context.env.INVALIDATION_RETENTION) {
    exchange.decide('MISS', 'retention-expired');
    return MISS;
  }
  const soft = verdict === Verdict.Soft;
  const fresh = expiresAt === 0 || expiresAt > now;
  if (verdict === Verdict.Valid && fresh) {
    exchange.decide('HIT', 'fresh');
    return refreshesAhead(exchange, context, expiresAt, now) ? HIT_REFRESHING_AHEAD : HIT;
  }
  // Stale (expired or soft-purged): servable only within the stale-while-revalidate window.
  const swr = staleWhileRevalidateMs(exchange.match?.rule, entry.meta);
  const withinSwr = !entry.meta.noStale && swr > 0 && (expiresAt === 0 || now < expiresAt + swr);
  // A refresh invalidation: stale until the new answer, fetched once for the fleet, arrives.
  if (verdict === Verdict.Refresh && (withinSwr || (fresh && !entry.meta.noStale))) {
    exchange.decide('STALE', 'refresh-pending');
    return refreshesNow(context, now) ? STALE : STALE_AWAITING_REFRESH;
  }
  if (withinSwr) {
    exchange.decide('STALE', soft ? 'soft-invalidated' : 'stale-while-revalidate');
    return STALE;
  }
  exchange.decide('MISS', soft ? 'soft-invalidated' : 'expired');
  return MISS;
}
