/**
 * The dispatcher: the only place that orders the stages (docs/request-flow.md; the diagram with
 * every outcome and reason is docs/request-flow.md).
 *
 *   recv ─► key ─► rule ─► lookup ─┬─ hit ─────────────────────────────────────► deliver
 *     │              │             ├─ hit within the rule's refreshAhead ─────► deliver + refresh in background
 *     │              │             ├─ stale (staleWhileRevalidate, refresh invalidation) ─► deliver + refresh in background
 *     │              │             ├─ only-if-cached, nothing usable ─────────► 504
 *     │              │             └─ miss ─► join the fill in flight ─────────► deliver (collapsed)
 *     │              │                     └► fill (fetch ─► 304: refresh | store) ► deliver
 *     │              │                          origin failed + staleIfError ─► deliver stale
 *     └─ reserved ───┴─ no rule / no_cache, method, bypass ─► pass (fetch) ────► deliver
 *   recv: no or wrong credentials ─► 401; too many failures ─► 429; PURGE without an admin role ─► 403
 *   recv ─► PURGE ─► purge (url invalidation for the fleet, confirmed) ──────────► 200 / 502 / 504
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Reply } from './reply.js';
import type { GatewayContext, Route } from '../context.js';
import { OriginUnavailableError, originErrorReason, SharedOriginFailure } from '../errors.js';
import { abandonBody } from '../origin/origin-pool.js';
import { selectsRequest } from '../store/variants.js';
import { deliverEntry, deliverNotCached, deliverResponse } from './deliver.js';
import type { Exchange } from './exchange.js';
import { fetchOrigin } from './fetch.js';
import { fill } from './fill.js';
import type { FillResult } from './fill-registry.js';
import { key } from './key.js';
import { lookup } from './lookup.js';
import { purge, PURGE_METHOD } from './purge.js';
import { assertNever } from './outcome.js';
import { admit, recv } from './recv.js';
import { rule } from './rule.js';
import { committedHit, missAcrossWorkers, releasingSettle, type PendingFill } from './shared-fill.js';
import { staleIfErrorMs } from './stale-windows.js';
import { invalidateAfterUnsafe, invalidatesOnSuccess } from './unsafe-invalidation.js';


/**
 * Answers the request. A hit is answered in this turn, without a promise (issue 13): the
 * result is a Promise only when a stage had to wait (credentials checked, origin, PURGE).
 * Errors are thrown, or rejected, to the proxy server, which answers them.
 */
export function handleRequest(exchange: Exchange, context: GatewayContext, reply: Reply): Reply | Promise<Reply> {
  const received = recv(exchange, context);
  if (received.kind === 'pass') return pass(exchange, context, reply, exchange.startedAt);
  if (received.kind === 'authenticate') {
    return received.checked.then((result) => {
      admit(exchange, result);
      return afterRecv(exchange, context, reply);
    });
  }
  return afterRecv(exchange, context, reply);
}

function afterRecv(exchange: Exchange, context: GatewayContext, reply: Reply): Reply | Promise<Reply> {
  const now = exchange.startedAt;
  // The gateway's own method: a fleet-wide invalidation, never proxied nor looked up.
  if (exchange.method === PURGE_METHOD) return purge(exchange, context, reply);
  const route = exchange.route as Route;
  key(exchange, route);
  if (rule(exchange, context).kind === 'pass') return pass(exchange, context, reply, now);
  const found = lookup(exchange, context, now);
  switch (found.kind) {
    case 'hit': {
      const delivered = deliverEntry(exchange, context, reply, exchange.entry!, now);
      if (found.refreshAhead) refreshInBackground(exchange, context, route);
      return delivered;
    }
    case 'stale': {
      const delivered = deliverEntry(exchange, context, reply, exchange.entry!, now);
      if (found.refresh) refreshInBackground(exchange, context, route);
      return delivered;
    }
    case 'unavailable':
      return deliverNotCached(exchange, context, reply, now);
    case 'pass':
    case 'bypass':
      return pass(exchange, context, reply, now);
    case 'miss':
      return miss(exchange, context, reply, route, now);
    default:
      return assertNever(found);
  }
}

async function miss(exchange: Exchange, context: GatewayContext, reply: Reply, route: Route, now: number, peerWaited = false): Promise<Reply> {
  // A hit-for-miss key, or a client that forbids storing, does not queue behind a fill.
  const shared = !exchange.directives.noStore && exchange.reason !== 'hit-for-miss';
  const inflight = shared ? context.fills.inflight(exchange.key) : undefined;
  // A fill that began before the latest invalidation may bring an answer it removed.
  const joinable = inflight !== undefined && inflight.fillSeq === context.invalidations.appliedSeq && inflight.epoch === context.invalidations.epoch;
  // Another gateway is filling the key (fleet-wide coalescing): its replicated fill may answer.
  if (!joinable && shared && !peerWaited && context.replication?.peerFilling(exchange.key, Date.now()) === true) return awaitPeerFill(exchange, context, reply, route, now);
  // Several workers (WORKERS > 1): the node's other workers may be filling the key (flow/shared-fill.ts).
  if (!joinable && shared && context.workerLink !== undefined) return missAcrossWorkers(exchange, context, reply, route, now, newInflight(context), { lead, serveStaleOrFail });
  if (!joinable) return lead(exchange, context, reply, route, now, shared);
  const result = await inflight.result;
  switch (result.kind) {
    case 'entry': {
      // The fill's answer was selected by a Vary on forwarded fields this request sends otherwise.
      if (!selectsRequest(result.entry.meta, exchange.headers)) return lead(exchange, context, reply, route, now, false);
      // Complete before this request asked: judged as a hit, or this request goes forward itself
      // (its own directives, say, refuse the stored answer).
      if (result.afterFill === true) {
        const committed = committedHit(exchange, context);
        return committed === undefined ? lead(exchange, context, reply, route, now, false) : deliverEntry(exchange, context, reply, committed, now);
      }
      exchange.collapsed = true;
      exchange.storing = result.stored;
      exchange.forwardStatus = result.entry.meta.status;
      return deliverEntry(exchange, context, reply, result.entry, now);
    }
    case 'error':
      exchange.collapsed = true;
      return serveStaleOrFail(exchange, context, reply, new SharedOriginFailure(result.error), now);
    case 'unshared':
      return lead(exchange, context, reply, route, now, false);
    default:
      return assertNever(result);
  }
}

/** How often, and how many times, a worker looks for a peer's fill a sibling worker stored (not yet committed). */
const PEER_FILL_POLL_MS = 5;
const PEER_FILL_POLLS = 20;

/**
 * A peer announced it is filling the key: this miss waits for the replicated fill (bounded,
 * FLEET_FILL_WAIT_MS) and answers it as a collapsed HIT, or goes to the origin as any miss
 * if the fill ended without an entry here or took too long.
 */
async function awaitPeerFill(exchange: Exchange, context: GatewayContext, reply: Reply, route: Route, now: number): Promise<Reply> {
  const end = await context.replication!.awaitPeer(exchange.key, Date.now());
  // With workers, another worker of this node may have stored the replica: visible once committed.
  for (let polls = 0; end === 'stored' && polls <= PEER_FILL_POLLS; polls++) {
    const entry = committedHit(exchange, context);
    if (entry !== undefined) {
      exchange.collapsed = true;
      return deliverEntry(exchange, context, reply, entry, Date.now());
    }
    if (context.workerLink === undefined) break;
    await sleep(PEER_FILL_POLL_MS);
  }
  return miss(exchange, context, reply, route, now, true);
}

/**
 * This request fetches for its key; `register`: others that miss meanwhile wait for it.
 * `pending`: the fill was registered already (shared-fill.ts).
 */
async function lead(exchange: Exchange, context: GatewayContext, reply: Reply, route: Route, now: number, register: boolean, pending?: PendingFill): Promise<Reply> {
  const { settle, inflight } = pending ?? newInflight(context);
  if (register) context.fills.lead(exchange.key, inflight);
  let answer;
  try {
    answer = await fill(exchange, context, route, now, settle);
  } catch (err) {
    // Settled already when the origin failed; this covers any other failure, so waiters never hang.
    settle({ kind: 'error', error: err });
    return serveStaleOrFail(exchange, context, reply, err, now);
  }
  if (answer.kind === 'revalidated') {
    exchange.decide('MISS', 'revalidated');
    return deliverEntry(exchange, context, reply, answer.entry, now);
  }
  const { fetched, body } = answer;
  const discard = () => {
    if (answer.kind === 'streaming') answer.body.destroy();
  };
  if (fetched.status === 304) {
    // Fills never ask conditionally on a client's behalf: a 304 here answers nothing the client asked.
    discard();
    return serveStaleOrFail(exchange, context, reply, new OriginUnavailableError(route.origin.origin, new Error('304 to an unconditional request')), now);
  }
  if (fetched.status >= 500 && canServeStaleOnError(exchange, now)) {
    discard();
    exchange.decide('STALE', 'stale-if-error');
    return deliverEntry(exchange, context, reply, exchange.entry!, now);
  }
  return deliverResponse(exchange, context, reply, fetched.status, fetched.headers, body, now);
}

/** A fill about to start: read in the same turn as its fetch reads fillSeq, so they agree. */
export function newInflight(context: GatewayContext): PendingFill {
  let settle: (result: FillResult) => void = () => undefined;
  const result = new Promise<FillResult>((resolve) => (settle = resolve));
  return { settle, inflight: { result, fillSeq: context.invalidations.appliedSeq, epoch: context.invalidations.epoch } };
}

function canServeStaleOnError(exchange: Exchange, now: number): boolean {
  const entry = exchange.entry;
  if (entry === undefined || entry.meta.noStale) return false;
  return entry.meta.expiresAt === 0 || now < entry.meta.expiresAt + staleIfErrorMs(exchange.match?.rule, entry.meta);
}

/** The origin failed: the stored entry if the stale-if-error window (rule's, else origin's) allows, else the error (502 / 504). */
function serveStaleOrFail(exchange: Exchange, context: GatewayContext, reply: Reply, err: unknown, now: number): Reply {
  if (!canServeStaleOnError(exchange, now)) throw err;
  // Thrown errors are counted by the proxy's error hook; this one is answered, so count it here.
  const reason = originErrorReason(err);
  if (reason !== undefined) context.metrics.originErrors.inc({ reason });
  exchange.decide('STALE', 'stale-if-error');
  return deliverEntry(exchange, context, reply, exchange.entry!, now);
}

/**
 * staleWhileRevalidate, refreshAhead, a refresh invalidation: one refresh per key, after the
 * answer went out; after one that stored nothing, none for the key for REFRESH_RETRY_MS.
 */
function refreshInBackground(exchange: Exchange, context: GatewayContext, route: Route): void {
  if (context.fills.inflight(exchange.key) !== undefined || context.fills.refreshFailedRecently(exchange.key, Date.now())) return;
  const { settle, inflight } = newInflight(context);
  context.fills.lead(exchange.key, inflight);
  void inflight.result.then((result) => {
    if (result.kind !== 'entry' || !result.stored) context.fills.markRefreshFailed(exchange.key, Date.now());
  });
  const link = context.workerLink;
  if (link === undefined) return refresh(exchange, context, route, settle);
  // One refresh per node: a worker that finds another's fill lease leaves the refresh to it.
  void link.acquire(exchange.key, inflight.fillSeq).then((grant) => {
    if (grant.kind !== 'lead') return settle({ kind: 'unshared' });
    exchange.fillLease = grant.lease;
    refresh(exchange, context, route, releasingSettle(context, exchange.key, grant.lease, settle));
  });
}

function refresh(exchange: Exchange, context: GatewayContext, route: Route, settle: (result: FillResult) => void): void {
  fill(exchange, context, route, Date.now(), settle).then(
    (answer) => {
      // Nobody reads the streamed copy; let the fill read the origin at its own pace.
      if (answer.kind === 'streaming') answer.body.resume();
    },
    (err: unknown) => {
      settle({ kind: 'error', error: err });
      const reason = originErrorReason(err);
      if (reason !== undefined) context.metrics.originErrors.inc({ reason });
      context.logger.warn({ err, key: exchange.key }, 'background refresh failed');
    },
  );
}

async function pass(exchange: Exchange, context: GatewayContext, reply: Reply, now: number): Promise<Reply> {
  const fetched = await fetchOrigin(exchange, context, exchange.route as Route, 'pass');
  try {
    // A non-error answer to an unsafe method changed the resource: its stored answers must
    // not outlive it (RFC 9111 §4.4). Reserved paths skip the cache, so they have none.
    const changed = fetched.status >= 200 && fetched.status < 400 && exchange.key !== '' && invalidatesOnSuccess(exchange.method);
    if (changed) await invalidateAfterUnsafe(exchange, context, exchange.route as Route, fetched.headers);
    return deliverResponse(exchange, context, reply, fetched.status, fetched.headers, fetched.body, now);
  } catch (err) {
    // Whatever fails here, the origin body is given up, and with it its connection.
    abandonBody(fetched.body);
    throw err;
  }
}
