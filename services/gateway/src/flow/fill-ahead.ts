/**
 * Fills ahead of clients (README, Active caching): warming a URL, and fetching again what a
 * refresh invalidation marked. The gateway makes up the request a client would send (the
 * URL, and the fields the key and a Vary select by) and runs the client's stages on it:
 * route, key, rule, lookup, fill, store, so what it stores is exactly what a client's miss
 * would have stored, and it is replicated to the peers the same way. It coalesces with a
 * fill in flight for the key (and, with workers, with the node's fill lease), and has no
 * client to answer: the outcome is reported instead.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { Readable } from 'node:stream';
import type { CacheName, WarmOutcome } from '@cairn/shared';
import type { GatewayContext, Route } from '../context.js';
import { originErrorReason } from '../errors.js';
import { Exchange } from './exchange.js';
import { fill } from './fill.js';
import type { FillResult } from './fill-registry.js';
import { key } from './key.js';
import { lookup } from './lookup.js';
import { routeRequest } from './recv.js';
import { newInflight } from './request-flow.js';
import { rule } from './rule.js';
import { releasingSettle } from './shared-fill.js';

export interface AheadRequest {
  /** Path and query, as a client would ask. */
  url: string;
  /** The request fields that select the answer (EntryMeta.fillFields). */
  fields: Record<string, string>;
  /** The cache the URL should be in; undefined: the one a client's GET would reach. */
  cache: CacheName | undefined;
  /** Fetch even when a fresh entry is stored (a refresh), conditionally when it has validators. */
  force: boolean;
  warmId?: string | undefined;
}

export interface AheadOutcome {
  outcome: WarmOutcome;
  status?: number | undefined;
  reason?: string | undefined;
}

export async function fillAhead(context: GatewayContext, request: AheadRequest): Promise<AheadOutcome> {
  const now = Date.now();
  const headers: IncomingHttpHeaders = { ...request.fields };
  const apiHeader = context.cacheConfig.apiHeader;
  if (request.cache === 'api' && apiHeader !== undefined) headers[apiHeader.key] = apiHeader.value;
  const exchange = new Exchange('GET', request.url, headers, Readable.from([]), now);
  exchange.warmId = request.warmId;
  let route: Route;
  try {
    route = routeRequest(exchange, context);
  } catch {
    return { outcome: 'failed', reason: 'bad-request-target' };
  }
  if (request.cache !== undefined && route.cache !== request.cache) return { outcome: 'not-cacheable', reason: `routed to the ${route.cache} cache` };
  if (context.reservedPaths.has(exchange.rawPath)) return { outcome: 'not-cacheable', reason: 'reserved-path' };
  key(exchange, route);
  if (rule(exchange, context).kind === 'pass') return { outcome: 'not-cacheable', reason: exchange.reason };
  const found = lookup(exchange, context, now);
  if (found.kind === 'hit' && !request.force) {
    // Peers may lack it: a warming offers the stored entry, so every gateway can confirm it.
    const entry = exchange.entry!;
    if (request.warmId !== undefined) context.replication?.offer(exchange.urlKey, entry.meta, entry.body, request.warmId);
    return { outcome: 'cached' };
  }
  return ahead(exchange, context, route, now);
}

async function ahead(exchange: Exchange, context: GatewayContext, route: Route, now: number): Promise<AheadOutcome> {
  const inflight = context.fills.inflight(exchange.key);
  // A fill that began at the current invalidation state brings what this one would.
  if (inflight !== undefined && inflight.fillSeq === context.invalidations.appliedSeq && inflight.epoch === context.invalidations.epoch) {
    return outcomeOf(await inflight.result, undefined);
  }
  const pending = newInflight(context);
  context.fills.lead(exchange.key, pending.inflight);
  let settle = pending.settle;
  const link = context.workerLink;
  if (link !== undefined) {
    const grant = await link.acquire(exchange.key, pending.inflight.fillSeq);
    if (grant.kind !== 'lead') {
      settle({ kind: 'unshared' });
      if (grant.end === 'stored') return { outcome: 'stored', reason: 'filled by another worker' };
      return grant.end === 'failed' ? { outcome: 'failed', reason: 'origin-unavailable' } : { outcome: 'not-cacheable', reason: 'not stored by another worker' };
    }
    exchange.fillLease = grant.lease;
    settle = releasingSettle(context, exchange.key, grant.lease, settle);
  }
  let status: number | undefined;
  try {
    const answer = await fill(exchange, context, route, now, settle);
    if (answer.kind === 'streaming') answer.body.resume();
    status = answer.kind === 'revalidated' ? answer.entry.meta.status : answer.fetched.status;
  } catch (err) {
    settle({ kind: 'error', error: err });
    return { outcome: 'failed', reason: originErrorReason(err) ?? 'internal-error' };
  }
  return outcomeOf(await pending.inflight.result, status, exchange);
}

function outcomeOf(result: FillResult, status: number | undefined, exchange?: Exchange): AheadOutcome {
  switch (result.kind) {
    case 'entry': {
      const code = status ?? result.entry.meta.status;
      if (result.stored) return { outcome: 'stored', status: code };
      return { outcome: code >= 400 ? 'failed' : 'not-cacheable', status: code, reason: exchange?.notStoredReason };
    }
    case 'error':
      return { outcome: 'failed', reason: originErrorReason(result.error) ?? 'internal-error' };
    case 'unshared':
      return { outcome: 'not-cacheable', status, reason: exchange?.notStoredReason };
  }
}
