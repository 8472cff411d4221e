/**
 * The messages a gateway node's primary and its workers exchange over the cluster IPC
 * channel (README, Workers). Every one carries `cairn`, so prom-client's own metric
 * requests on the same channel are told apart.
 */
import type { Readiness } from '@cairn/shared';

/** What a waiter learns when the lease it joined ends. */
export type LeaseEnd =
  /** The leader committed an entry for the key: read it from the store. */
  | 'stored'
  /** The leader's fill stored nothing (unshared, not storable, failed), died, or ran past the bound: lead yourself. */
  | 'not-stored';

export type WorkerMessage =
  | { cairn: 'lease'; id: number; key: string; fillSeq: number }
  | { cairn: 'release'; lease: number; stored: boolean }
  | { cairn: 'applied'; eventId: string; seq: number; deleted: number }
  | { cairn: 'state'; readiness: Readiness; appliedSeq: number; feedLost: boolean; url: string };

export type PrimaryMessage = { cairn: 'lease-answer'; id: number; answer: 'lead' | LeaseEnd; lease: number };

export function isWorkerMessage(message: unknown): message is WorkerMessage {
  return typeof message === 'object' && message !== null && typeof (message as { cairn?: unknown }).cairn === 'string';
}

export function isPrimaryMessage(message: unknown): message is PrimaryMessage {
  return typeof message === 'object' && message !== null && (message as { cairn?: unknown }).cairn === 'lease-answer';
}

/** The environment variable the primary tells each worker its index in (0 takes the store duties). */
export const WORKER_INDEX_ENV = 'CAIRN_WORKER_INDEX';
