/**
 * A worker's side of the node (README, Workers): asks the primary for fill leases, reports
 * applied invalidations and its readiness. Only misses that would lead a shared fill use
 * it; hits never do.
 */
import type { Logger, LookupCounts, Readiness } from '@cairn/shared';
import { AggregatorRegistry, type Registry } from 'prom-client';
import { isPrimaryMessage, WORKER_INDEX_ENV, type LeaseEnd, type SharedFailure, type WorkerMessage } from './ipc.js';

/** How often a worker tells the primary its readiness and applied sequence. */
const STATE_INTERVAL_MS = 250;

/** `afterFill`: joined after the leader said `filled` (fill-leases.ts). */
export type LeaseGrant = { kind: 'lead'; lease: number } | { kind: 'ended'; end: LeaseEnd; failure: SharedFailure | undefined; afterFill: boolean };

export interface WorkerState {
  readiness: Readiness;
  /** The proxy URL once listening, else ''. */
  url: string;
  appliedSeq: number;
  feedLost: boolean;
  /** This worker's answers since it started. */
  lookups: LookupCounts;
}

export class WorkerLink {
  readonly index: number;
  readonly #pending = new Map<number, (grant: LeaseGrant) => void>();
  readonly #syncing = new Map<number, () => void>();
  /** Set by the gateway: forget in memory what other workers removed (the store's removal log). */
  tailRemovals: () => void = () => undefined;
  /** Set by main.ts: the primary has drained the node and tells this worker to stop. */
  stopRequested: () => void = () => undefined;
  /** Set by main.ts: the primary got SIGHUP. */
  reloadRequested: () => void = () => undefined;
  readonly #waitMs: number;
  readonly #logger: Logger;
  #nextId = 1;
  #stopping = false;
  #timer: NodeJS.Timeout | undefined;

  /** `waitMs`: how long a waiter waits for the primary before it leads itself (the primary ends leases sooner). */
  constructor(index: number, waitMs: number, logger: Logger) {
    this.index = index;
    this.#waitMs = waitMs;
    this.#logger = logger;
    process.on('message', (message: unknown) => {
      if (!isPrimaryMessage(message)) return;
      if (message.cairn === 'reload') {
        this.reloadRequested();
        return;
      }
      if (message.cairn === 'stop') {
        // The primary repeats it until this process exits.
        if (!this.#stopping) this.stopRequested();
        this.#stopping = true;
        return;
      }
      if (message.cairn === 'tail-removals') {
        this.tailRemovals();
        this.#send({ cairn: 'removals-tailed', id: message.id });
        return;
      }
      if (message.cairn === 'removals-synced' || message.cairn === 'leases-ended') {
        this.#syncing.get(message.id)?.();
        return;
      }
      const answer = this.#pending.get(message.id);
      if (answer === undefined) return;
      this.#pending.delete(message.id);
      answer(message.answer === 'lead' ? { kind: 'lead', lease: message.lease } : { kind: 'ended', end: message.answer, failure: message.failure, afterFill: message.afterFill === true });
    });
  }

  static fromEnv(env: NodeJS.ProcessEnv, waitMs: number, logger: Logger): WorkerLink {
    return new WorkerLink(Number(env[WORKER_INDEX_ENV] ?? 0), waitMs, logger);
  }

  /** The worker that sweeps, reindexes and deletes invalidated entries for the node. */
  get storeDuties(): boolean {
    return this.index === 0;
  }

  /** The primary's /metrics asks every worker for this registry (prom-client's cluster support). */
  serveMetrics(registry: Registry): void {
    AggregatorRegistry.setRegistries([registry]);
    // Constructing one is what installs a worker's answer to the primary's requests.
    new AggregatorRegistry();
  }

  /** `lead`, or (after the leader released) how its fill ended. Without the primary, lead. */
  acquire(key: string, fillSeq: number): Promise<LeaseGrant> {
    const id = this.#nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        this.#logger.warn({ key, waitMs: this.#waitMs }, 'fill lease not answered, filling without it');
        resolve({ kind: 'lead', lease: 0 });
      }, this.#waitMs);
      timer.unref();
      this.#pending.set(id, (grant) => {
        clearTimeout(timer);
        resolve(grant);
      });
      if (!this.#send({ cairn: 'lease', id, key, fillSeq })) {
        this.#pending.delete(id);
        clearTimeout(timer);
        resolve({ kind: 'lead', lease: 0 });
      }
    });
  }

  filled(lease: number): void {
    if (lease !== 0) this.#send({ cairn: 'filled', lease });
  }

  release(lease: number, end: LeaseEnd, failure?: SharedFailure): void {
    if (lease !== 0) this.#send({ cairn: 'release', lease, end, ...(failure === undefined ? {} : { failure }) });
  }

  /**
   * Resolves once every other serving worker has read the removal log, so none of them
   * answers from memory an entry this worker just removed; after `waitMs` at most (the
   * log's timer then does it within its interval).
   */
  syncRemovals(waitMs: number): Promise<void> {
    return this.#ask((id) => ({ cairn: 'sync-removals', id }), waitMs);
  }

  /**
   * Resolves once no worker's fill lease on `key` is left, so a removal issued then commits
   * after those fills' entries (a fill's answer ends before its commit, and another worker's
   * removal could otherwise commit first and be undone); after `waitMs` at most.
   */
  leasesEnded(key: string, waitMs: number): Promise<void> {
    return this.#ask((id) => ({ cairn: 'await-leases', id, key }), waitMs);
  }

  /** Sends the message `id` names and resolves on the primary's answer to it, or after `waitMs`. */
  #ask(message: (id: number) => WorkerMessage, waitMs: number): Promise<void> {
    const id = this.#nextId++;
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#syncing.delete(id);
        resolve();
      };
      const timer = setTimeout(done, waitMs);
      timer.unref();
      this.#syncing.set(id, done);
      if (!this.#send(message(id))) done();
    });
  }

  applied(eventId: string, seq: number, deleted: number): void {
    this.#send({ cairn: 'applied', eventId, seq, deleted });
  }

  /** Reports the state now and every STATE_INTERVAL_MS until stop. */
  start(state: () => WorkerState): void {
    const report = () => this.#send({ cairn: 'state', ...state() });
    report();
    this.#timer = setInterval(report, STATE_INTERVAL_MS);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  #send(message: WorkerMessage): boolean {
    if (process.send === undefined || !process.connected) return false;
    try {
      // false means only that the channel is backed up: the message is still sent. A send that
      // fails later (the primary died: EPIPE) is reported here, not as an 'error' that would
      // crash the worker; the 'disconnect' that follows stops it (main.ts).
      process.send(message, undefined, {}, (err: Error | null) => {
        if (err !== null) this.#logger.warn({ err, message: message.cairn }, 'message to the primary failed');
      });
      return true;
    } catch (err) {
      // The channel closed under us (the primary is exiting): the caller falls back.
      this.#logger.warn({ err, message: message.cairn }, 'message to the primary failed');
      return false;
    }
  }
}
