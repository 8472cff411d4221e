/**
 * The messages a gateway node's primary and its workers exchange over the cluster IPC
 * channel (README, Workers). Every one carries `cairn`, so prom-client's own metric
 * requests on the same channel are told apart.
 */
import { CairnError, type LookupCounts, type Readiness } from '@cairn/shared';

/** What a waiter learns when the lease it joined ends. */
export type LeaseEnd =
  /** The leader committed an entry for the key: read it from the store. */
  | 'stored'
  /** The leader's fill stored nothing (unshared, not storable), died, or ran past the bound: lead yourself. */
  | 'not-stored'
  /** The origin failed the leader's fill: answer with the same failure (the `failure` sent along). */
  | 'failed';

/** An origin failure as it crosses processes: what a waiter's answer is made of. */
export interface SharedFailure {
  code: string;
  message: string;
  status: number | undefined;
  details: Record<string, unknown>;
}

export function toSharedFailure(err: unknown): SharedFailure {
  if (err instanceof CairnError) return { code: err.code, message: err.message, status: err.status, details: err.details };
  return { code: 'CAIRN_ORIGIN_UNAVAILABLE', message: 'origin fetch failed', status: 502, details: {} };
}

export function fromSharedFailure(failure: SharedFailure): CairnError {
  return new CairnError(failure.code, failure.message, { status: failure.status, details: failure.details });
}

export type WorkerMessage =
  | { cairn: 'lease'; id: number; key: string; fillSeq: number }
  | { cairn: 'release'; lease: number; end: LeaseEnd; failure?: SharedFailure }
  /**
   * The leader's fill stored its entry, whose commit is under way, and its answer is about to
   * end: a worker that asks for the lease from now on asked after that answer.
   */
  | { cairn: 'filled'; lease: number }
  /** Answer `leases-ended` once no fill lease on `key` is left (an unsafe method's removal waits for it). */
  | { cairn: 'await-leases'; id: number; key: string }
  | { cairn: 'applied'; eventId: string; seq: number; deleted: number }
  | { cairn: 'state'; readiness: Readiness; appliedSeq: number; feedLost: boolean; url: string; lookups: LookupCounts }
  /** This worker removed entries (an unsafe method's invalidation): every other worker must forget them before it answers. */
  | { cairn: 'sync-removals'; id: number }
  /** The answer to `tail-removals`: this worker's memory no longer holds what the log names. */
  | { cairn: 'removals-tailed'; id: number };

export type PrimaryMessage =
  /** `afterFill`: the asker joined the lease once it was `filled`; its read of the committed entry is a HIT. */
  | { cairn: 'lease-answer'; id: number; answer: 'lead' | LeaseEnd; lease: number; failure?: SharedFailure; afterFill?: true }
  /** Read the store's removal log now (another worker waits on it). */
  | { cairn: 'tail-removals'; id: number }
  /** Every serving worker has read the removal log since `sync-removals` `id`. */
  | { cairn: 'removals-synced'; id: number }
  /** No fill lease on the key of `await-leases` `id` is left. */
  | { cairn: 'leases-ended'; id: number }
  /** The node has drained: stop accepting, finish the responses in flight, exit. */
  | { cairn: 'stop' }
  /** The primary got SIGHUP: re-read what SIGHUP re-reads. */
  | { cairn: 'reload' };

export function isWorkerMessage(message: unknown): message is WorkerMessage {
  return typeof message === 'object' && message !== null && typeof (message as { cairn?: unknown }).cairn === 'string';
}

export function isPrimaryMessage(message: unknown): message is PrimaryMessage {
  const kind = typeof message === 'object' && message !== null ? (message as { cairn?: unknown }).cairn : undefined;
  return kind === 'lease-answer' || kind === 'tail-removals' || kind === 'removals-synced' || kind === 'leases-ended' || kind === 'stop' || kind === 'reload';
}

/** The environment variable the primary tells each worker its index in (0 takes the store duties). */
export const WORKER_INDEX_ENV = 'CAIRN_WORKER_INDEX';
