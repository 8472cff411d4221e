/**
 * The primary's fill leases (README, Workers): one origin fill per key per gateway node, not
 * per worker. A worker about to fill a key asks for its lease; the first gets `lead`, later
 * askers wait until the leader releases it (its entry committed, nothing stored, or the
 * origin's failure, which they answer with as the leader did) and then read the store
 * themselves. A lease taken before the latest invalidation an asker
 * applied is not joined: the asker leads a new one once it ended. Leases end when their leader dies or
 * after `timeoutMs`, so no waiter waits forever. A leader whose entry is stored says
 * `filled` before its answer ends and releases once the entry committed: who joins in
 * between asked after that answer, and is told so (`afterFill`), since for that client
 * the entry was the node's already.
 */
import type { LeaseEnd, SharedFailure } from './ipc.js';

type Answer = (answer: 'lead' | LeaseEnd, lease: number, failure?: SharedFailure, afterFill?: boolean) => void;

interface Lease {
  id: number;
  key: string;
  worker: number;
  fillSeq: number;
  /** The leader stored its entry and is committing it. */
  filled: boolean;
  waiters: { answer: Answer; afterFill: boolean }[];
  /** Told when the lease ends, whatever its end: whenEnded, and askers to lead after it (`worker`). */
  ended: { worker?: number; done: () => void }[];
  timer: NodeJS.Timeout;
}

export class FillLeases {
  /** The newest lease per key: the one later askers join. */
  readonly #byKey = new Map<string, Lease>();
  /** Every lease not yet ended, replaced ones too (their waiters are still waiting). */
  readonly #byId = new Map<number, Lease>();
  readonly #timeoutMs: number;
  readonly #onTimeout: (key: string, worker: number) => void;
  #nextId = 1;

  constructor(timeoutMs: number, onTimeout: (key: string, worker: number) => void = () => undefined) {
    this.#timeoutMs = timeoutMs;
    this.#onTimeout = onTimeout;
  }

  get size(): number {
    return this.#byId.size;
  }

  acquire(key: string, worker: number, fillSeq: number, answer: Answer): void {
    const current = this.#byKey.get(key);
    // The same worker asking again already decided locally not to join its own fill.
    if (current !== undefined && current.worker !== worker) {
      if (current.fillSeq >= fillSeq) {
        current.waiters.push({ answer, afterFill: current.filled });
        return;
      }
      // Begun before an invalidation this asker applied, the fill is not joined, but it may
      // still commit an entry the asker's map accepts (the invalidation's scope may not
      // cover the key): the asker asks again once it ended, and as a leader first reads what
      // was committed, rather than fetching beside it (workers whose feeds lag each other).
      current.ended.push({ worker, done: () => this.acquire(key, worker, fillSeq, answer) });
      return;
    }
    const lease: Lease = { id: this.#nextId++, key, worker, fillSeq, filled: false, waiters: [], ended: [], timer: undefined as unknown as NodeJS.Timeout };
    lease.timer = setTimeout(() => {
      this.#onTimeout(key, worker);
      this.#end(lease, 'not-stored');
    }, this.#timeoutMs);
    lease.timer.unref();
    this.#byKey.set(key, lease);
    this.#byId.set(lease.id, lease);
    answer('lead', lease.id);
  }

  /** The leader's entry is stored and committing; like a release, only the leader's counts. */
  filled(leaseId: number, worker: number): void {
    const lease = this.#byId.get(leaseId);
    if (lease !== undefined && lease.worker === worker) lease.filled = true;
  }

  /**
   * Calls `done` once every lease on `key` has ended (at once when there is none): a leader
   * releases only after its entry committed, so a write issued after that commits after it.
   */
  whenEnded(key: string, done: () => void): void {
    const open = [...this.#byId.values()].filter((lease) => lease.key === key);
    let left = open.length;
    if (left === 0) return done();
    for (const lease of open) lease.ended.push({ done: () => --left === 0 && done() });
  }

  /** Only the leader releases; a release after the lease ended (timed out) does nothing. */
  release(leaseId: number, worker: number, end: LeaseEnd, failure?: SharedFailure): void {
    const lease = this.#byId.get(leaseId);
    if (lease !== undefined && lease.worker === worker) this.#end(lease, end, failure);
  }

  /** A worker died: its leases end with nothing stored, so their waiters lead. */
  leaderGone(worker: number): number {
    let ended = 0;
    for (const lease of this.#byId.values()) lease.ended = lease.ended.filter((waiting) => waiting.worker !== worker);
    for (const lease of [...this.#byId.values()]) {
      if (lease.worker === worker) {
        this.#end(lease, 'not-stored');
        ended++;
      }
    }
    return ended;
  }

  /** Ends every lease (shutdown). */
  clear(): void {
    for (const lease of [...this.#byId.values()]) this.#end(lease, 'not-stored');
  }

  #end(lease: Lease, end: LeaseEnd, failure?: SharedFailure): void {
    clearTimeout(lease.timer);
    this.#byId.delete(lease.id);
    if (this.#byKey.get(lease.key) === lease) this.#byKey.delete(lease.key);
    // A failure without its description cannot be answered with: the waiters lead instead.
    const sent = end === 'failed' && failure === undefined ? 'not-stored' : end;
    for (const waiter of lease.waiters) waiter.answer(sent, lease.id, failure, waiter.afterFill && sent === 'stored');
    for (const { done } of lease.ended) done();
  }
}
