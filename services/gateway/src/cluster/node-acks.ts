/**
 * One gateway node's presence over its workers (README, Workers): the invalidation service
 * waits for one ack per live GATEWAY_ID, so the primary acks an event only once every
 * worker serving when the event was first reported has applied it, and heartbeats the
 * lowest applied sequence among serving workers (feed-lost if any of them has lost it) and
 * the node's answer counts: every worker's, those of workers gone since included.
 * A worker that started serving later replayed the event before it opened its port.
 */

import type { LookupCounts } from '@cairn/shared';

interface WorkerState {
  ready: boolean;
  appliedSeq: number;
  feedLost: boolean;
  lookups: LookupCounts;
}

interface PendingAck {
  seq: number;
  deleted: number;
  waitingFor: Set<number>;
  firstAt: number;
}

/** A pending event no worker finishes within this is forgotten (bounded memory; the service times out long before). */
const PENDING_ACK_MS = 60_000;
/** Acked events remembered, so a late report (a worker that started serving meanwhile) acks nothing twice. */
const ACKED_REMEMBERED = 1024;

export class NodeAcks {
  readonly #workers = new Map<number, WorkerState>();
  readonly #pending = new Map<string, PendingAck>();
  readonly #acked = new Set<string>();
  readonly #ack: (eventId: string, seq: number, deleted: number) => void;
  /** The last heartbeat state, kept while no worker serves (all restarting). */
  #last = { appliedSeq: 0, feedLost: false };
  /** What workers that exited had counted: the node's counts never go back when one restarts. */
  readonly #retired: LookupCounts = { hit: 0, stale: 0, miss: 0 };

  constructor(ack: (eventId: string, seq: number, deleted: number) => void) {
    this.#ack = ack;
  }

  state(worker: number, state: WorkerState): void {
    this.#workers.set(worker, state);
    if (!state.ready) this.#notWaitingFor(worker);
  }

  applied(worker: number, eventId: string, seq: number, deleted: number, now = Date.now()): void {
    if (this.#acked.has(eventId)) return;
    let pending = this.#pending.get(eventId);
    if (pending === undefined) {
      this.#forgetOld(now);
      const serving = [...this.#workers].filter(([, state]) => state.ready).map(([index]) => index);
      pending = { seq, deleted: 0, waitingFor: new Set(serving), firstAt: now };
      this.#pending.set(eventId, pending);
    }
    // Deletions run in one worker (the others delete nothing), so the sum is the node's count.
    pending.deleted += deleted;
    pending.waitingFor.delete(worker);
    this.#settle(eventId, pending);
  }

  /** A worker exited: nothing waits for it any more. */
  gone(worker: number): void {
    const lookups = this.#workers.get(worker)?.lookups;
    if (lookups !== undefined) addTo(this.#retired, lookups);
    this.#workers.delete(worker);
    this.#notWaitingFor(worker);
  }

  /** The node's heartbeat: the lowest applied sequence among serving workers; the answers of all. */
  heartbeat(): { appliedSeq: number; mode: 'normal' | 'feed-lost'; lookups: LookupCounts } {
    let appliedSeq = Infinity;
    let feedLost = false;
    const lookups = { ...this.#retired };
    for (const state of this.#workers.values()) {
      addTo(lookups, state.lookups);
      if (!state.ready) continue;
      appliedSeq = Math.min(appliedSeq, state.appliedSeq);
      feedLost ||= state.feedLost;
    }
    if (appliedSeq !== Infinity) this.#last = { appliedSeq, feedLost };
    return { appliedSeq: this.#last.appliedSeq, mode: this.#last.feedLost ? 'feed-lost' : 'normal', lookups };
  }

  get pendingCount(): number {
    return this.#pending.size;
  }

  #notWaitingFor(worker: number): void {
    for (const [eventId, pending] of [...this.#pending]) {
      pending.waitingFor.delete(worker);
      this.#settle(eventId, pending);
    }
  }

  #settle(eventId: string, pending: PendingAck): void {
    if (pending.waitingFor.size > 0) return;
    this.#pending.delete(eventId);
    this.#acked.add(eventId);
    if (this.#acked.size > ACKED_REMEMBERED) this.#acked.delete(this.#acked.values().next().value as string);
    this.#ack(eventId, pending.seq, pending.deleted);
  }

  #forgetOld(now: number): void {
    for (const [eventId, pending] of this.#pending) if (now - pending.firstAt > PENDING_ACK_MS) this.#pending.delete(eventId);
  }
}

function addTo(sum: LookupCounts, counts: LookupCounts): void {
  sum.hit += counts.hit;
  sum.stale += counts.stale;
  sum.miss += counts.miss;
}
