/**
 * Coalescing across the workers of a node (README, Workers). A miss that would lead a
 * shared fill registers it locally first (so this worker's later misses join it without
 * asking), then asks the primary for the key's fill lease:
 * - `lead`: it fills; once the fill settled and the store committed it (`flushed`, so
 *   another process reads it), it releases the lease saying whether an entry was stored.
 * - the lease of another worker ended `stored`: it reads the key from the store again and
 *   delivers that entry as a collapsed answer. The read goes through lookup, so this
 *   worker's own invalidation map judges the entry (a fill from before an invalidation it
 *   applied is never served, whatever the other worker knew).
 * - it ended with nothing usable stored (unshared, not storable, an origin error, a leader
 *   that died, a lease past its bound): it leads itself, without a lease.
 */
import type { FastifyReply } from 'fastify';
import type { GatewayContext, Route } from '../context.js';
import { deliverEntry } from './deliver.js';
import type { Exchange } from './exchange.js';
import type { FillResult, Inflight } from './fill-registry.js';
import { lookup } from './lookup.js';

export interface PendingFill {
  settle: (result: FillResult) => void;
  inflight: Inflight;
}

/** request-flow's lead, handed in so this module does not import its caller. */
export type Lead = (exchange: Exchange, context: GatewayContext, reply: FastifyReply, route: Route, now: number, register: boolean, pending?: PendingFill) => Promise<FastifyReply>;

export async function missAcrossWorkers(exchange: Exchange, context: GatewayContext, reply: FastifyReply, route: Route, now: number, pending: PendingFill, lead: Lead): Promise<FastifyReply> {
  const link = context.workerLink!;
  context.fills.lead(exchange.key, pending.inflight);
  const grant = await link.acquire(exchange.key, pending.inflight.fillSeq);
  if (grant.kind === 'lead') {
    let released = false;
    const settle = (result: FillResult): void => {
      pending.settle(result);
      if (released) return;
      released = true;
      const stored = result.kind === 'entry' && result.stored;
      // Released only once committed: a waiter in another process then reads the entry.
      context.store.flushed().then(
        () => link.release(grant.lease, stored),
        (err: unknown) => {
          context.logger.warn({ err, key: exchange.key }, 'store commit failed before a fill lease release');
          link.release(grant.lease, false);
        },
      );
    };
    return lead(exchange, context, reply, route, now, false, { settle, inflight: pending.inflight });
  }
  if (grant.end === 'stored') {
    const { outcome, reason } = exchange;
    if (lookup(exchange, context, Date.now()).kind === 'hit') {
      const entry = exchange.entry!;
      exchange.decide(outcome, reason);
      exchange.collapsed = true;
      exchange.storing = true;
      exchange.forwardStatus = entry.meta.status;
      pending.settle({ kind: 'entry', entry, stored: true });
      return deliverEntry(exchange, context, reply, entry, now);
    }
    exchange.decide(outcome, reason);
  }
  return lead(exchange, context, reply, route, now, false, pending);
}
