/**
 * Coalescing across the workers of a node (README, Workers). A miss that would lead a
 * shared fill registers it locally first (so this worker's later misses join it without
 * asking), then asks the primary for the key's fill lease:
 * - `lead`: it fills; once the fill settled and the store committed it (`flushed`, so
 *   another process reads it), it releases the lease saying how the fill ended. A stored
 *   entry is announced (`filled`) before the leader's answer ends, which does not wait for
 *   the commit.
 * - the lease of another worker ended `stored`: it reads the key from the store again and
 *   delivers that entry as a collapsed answer, or as a HIT when it asked after the leader
 *   said `filled`, just before its answer ended (a client's next request, on another
 *   connection). The read goes
 *   through lookup, so this worker's own invalidation map judges the entry (a fill from
 *   before an invalidation it applied is never served, whatever the other worker knew).
 * - it ended `failed`: the origin failed the leader's fill; this request fails the same way
 *   (or serves stale), as a waiter in the leader's process does.
 * - it ended with nothing usable stored (unshared, not storable, a leader that died, a
 *   lease past its bound): it leads itself, without a lease.
 */
import type { Reply } from './reply.js';
import { fromSharedFailure, toSharedFailure, type LeaseEnd } from '../cluster/ipc.js';
import type { GatewayContext, Route } from '../context.js';
import { SharedOriginFailure } from '../errors.js';
import { deliverEntry } from './deliver.js';
import type { CacheEntry } from '../store/cache-entry.js';
import type { Exchange } from './exchange.js';
import type { FillResult, Inflight } from './fill-registry.js';
import { lookup } from './lookup.js';

export interface PendingFill {
  settle: (result: FillResult) => void;
  inflight: Inflight;
}

/** request-flow's steps, handed in so this module does not import its caller. */
export interface FlowSteps {
  lead(exchange: Exchange, context: GatewayContext, reply: Reply, route: Route, now: number, register: boolean, pending?: PendingFill): Promise<Reply>;
  /** The stored entry if its stale-if-error window allows, else throws `err`. */
  serveStaleOrFail(exchange: Exchange, context: GatewayContext, reply: Reply, err: unknown, now: number): Reply;
}

function leaseEnd(result: FillResult): LeaseEnd {
  if (result.kind === 'error') return 'failed';
  return result.kind === 'entry' && result.stored ? 'stored' : 'not-stored';
}

/**
 * The leading worker's settle: settles this worker's waiters, then releases the lease, once
 * the store has committed the entry when there is one (so another process reads it).
 */
export function releasingSettle(context: GatewayContext, key: string, lease: number, settle: (result: FillResult) => void): (result: FillResult) => void {
  const link = context.workerLink!;
  let released = false;
  return (result: FillResult): void => {
    settle(result);
    if (released) return;
    released = true;
    const end = leaseEnd(result);
    if (result.kind === 'error') return link.release(lease, end, toSharedFailure(result.error));
    if (end === 'stored') link.filled(lease);
    context.store.flushed().then(
      () => link.release(lease, end),
      (err: unknown) => {
        context.logger.warn({ err, key }, 'store commit failed before a fill lease release');
        link.release(lease, 'not-stored');
      },
    );
  };
}

/**
 * The key's entry as the store holds it now, if lookup judges it a hit; else undefined, with
 * the exchange's outcome and reason as they were (lookup may have set its entry and key).
 */
export function committedHit(exchange: Exchange, context: GatewayContext): CacheEntry | undefined {
  const { outcome, reason } = exchange;
  context.store.readLatest();
  if (lookup(exchange, context, Date.now()).kind === 'hit') return exchange.entry!;
  exchange.decide(outcome, reason);
  return undefined;
}

/** Answered from an entry that was complete before this request asked (and its local joiners likewise). */
function deliverCommitted(exchange: Exchange, context: GatewayContext, reply: Reply, pending: PendingFill, entry: CacheEntry, now: number): Reply {
  pending.settle({ kind: 'entry', entry, stored: true, afterFill: true });
  return deliverEntry(exchange, context, reply, entry, now);
}

export async function missAcrossWorkers(exchange: Exchange, context: GatewayContext, reply: Reply, route: Route, now: number, pending: PendingFill, steps: FlowSteps): Promise<Reply> {
  const link = context.workerLink!;
  context.fills.lead(exchange.key, pending.inflight);
  const grant = await link.acquire(exchange.key, pending.inflight.fillSeq);
  if (grant.kind === 'lead') {
    // A sibling's fill may have committed, and its lease ended, since this worker's lookup:
    // the client's next request after that fill's answer, which must not ask the origin again.
    let committed: CacheEntry | undefined;
    try {
      committed = committedHit(exchange, context);
    } catch (err) {
      // The fill below settles the lease and this worker's waiters whatever happened here.
      context.logger.warn({ err, key: exchange.key }, 'reading the store again before a fill failed');
    }
    if (committed !== undefined) {
      // Whoever joined this lease meanwhile asked after that entry was complete too.
      link.filled(grant.lease);
      link.release(grant.lease, 'stored');
      return deliverCommitted(exchange, context, reply, pending, committed, now);
    }
    exchange.fillLease = grant.lease;
    const settle = releasingSettle(context, exchange.key, grant.lease, pending.settle);
    return steps.lead(exchange, context, reply, route, now, false, { settle, inflight: pending.inflight });
  }
  if (grant.end === 'failed' && grant.failure !== undefined) {
    const error = fromSharedFailure(grant.failure);
    pending.settle({ kind: 'error', error });
    exchange.collapsed = true;
    return steps.serveStaleOrFail(exchange, context, reply, new SharedOriginFailure(error), now);
  }
  const { outcome, reason } = exchange;
  const entry = grant.end === 'stored' ? committedHit(exchange, context) : undefined;
  if (entry === undefined) return steps.lead(exchange, context, reply, route, now, false, pending);
  if (grant.afterFill) return deliverCommitted(exchange, context, reply, pending, entry, now);
  // The miss it was, answered from the leader's fill.
  exchange.decide(outcome, reason);
  exchange.collapsed = true;
  exchange.storing = true;
  exchange.forwardStatus = entry.meta.status;
  pending.settle({ kind: 'entry', entry, stored: true });
  return deliverEntry(exchange, context, reply, entry, now);
}
