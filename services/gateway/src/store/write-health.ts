/**
 * Whether the store can write. A failed commit (disk full, an I/O error) makes it not
 * writable: from then on the store attempts no writes, and one probe, retried with an
 * exponential backoff, decides when it is writable again. It does not decide what a
 * write skipped while not writable means: the store does (lmdb-store.ts).
 */
import type { EvictionReason } from './store-bound.js';

export type StoreWriteOp = 'put' | 'remove' | 'delete-indexed' | 'reset' | 'reindex' | 'migrate' | 'probe';

export interface StoreEvents {
  /** A commit failed (counted once per failed write; `err` is lmdb-js's error). */
  writeFailed(op: StoreWriteOp, err: unknown): void;
  /** The store became writable or not writable (once per transition). */
  writableChanged(writable: boolean, err: unknown): void;
  /** A put was not attempted because the store is not writable. */
  writeSkipped(): void;
  /** Entries evicted to stay under the bound, or to make room after a full map or disk. */
  evicted(reason: EvictionReason, count: number): void;
  /** The bound in force dropped after a full map or disk. */
  boundLowered(maxBytes: number): void;
}

/** What write health itself reports. */
type HealthEvents = Pick<StoreEvents, 'writeFailed' | 'writableChanged' | 'writeSkipped'>;

export interface WriteHealthState {
  writable: boolean;
  /** ISO time of the last transition (or of the start). */
  since: string;
  /** The last write error seen, for humans; undefined before the first. */
  lastError: string | undefined;
}

export interface BackoffOptions {
  minBackoffMs: number;
  maxBackoffMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { minBackoffMs: 500, maxBackoffMs: 30_000 };

/** lmdb-js rejects a failed commit with "Commit failed" and the cause in `commitError`, a promise. */
function describeError(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return code === undefined ? err.message : `${err.message} (${String(code)})`;
  }
  return String(err);
}

export class WriteHealth {
  readonly #probe: () => Promise<void>;
  readonly #events: HealthEvents;
  readonly #backoff: BackoffOptions;
  #writable = true;
  #since = Date.now();
  #recoveredAt = 0;
  #lastError: string | undefined;
  #delayMs: number;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(probe: () => Promise<void>, events: HealthEvents, backoff: BackoffOptions = DEFAULT_BACKOFF) {
    this.#probe = probe;
    this.#events = events;
    this.#backoff = backoff;
    this.#delayMs = backoff.minBackoffMs;
  }

  get writable(): boolean {
    return this.#writable;
  }

  get state(): WriteHealthState {
    return { writable: this.#writable, since: new Date(this.#since).toISOString(), lastError: this.#lastError };
  }

  /** A write's commit failed: count it, and stop writing if this is the first failure. */
  failed(op: StoreWriteOp, err: unknown): void {
    this.#events.writeFailed(op, err);
    this.#record(err);
    if (!this.#writable) return;
    this.#writable = false;
    this.#since = Date.now();
    // A store that fails again soon after recovering keeps its longer backoff, so a disk
    // with room for the probe but not for the fills is probed less and less often.
    if (this.#since - this.#recoveredAt > 2 * this.#backoff.maxBackoffMs) this.#delayMs = this.#backoff.minBackoffMs;
    this.#events.writableChanged(false, err);
    this.#schedule();
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  #record(err: unknown): void {
    this.#lastError = describeError(err);
    const cause = (err as { commitError?: unknown } | undefined)?.commitError;
    if (cause instanceof Promise) {
      cause.then(undefined, (real: unknown) => {
        this.#lastError = describeError(real);
      });
    }
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => void this.#tryProbe(), this.#delayMs);
    this.#timer.unref();
  }

  async #tryProbe(): Promise<void> {
    try {
      await this.#probe();
    } catch (err) {
      this.#events.writeFailed('probe', err);
      this.#record(err);
      this.#delayMs = Math.min(this.#delayMs * 2, this.#backoff.maxBackoffMs);
      this.#schedule();
      return;
    }
    if (this.#stopped) return;
    this.#writable = true;
    this.#since = this.#recoveredAt = Date.now();
    this.#delayMs = Math.min(this.#delayMs * 2, this.#backoff.maxBackoffMs);
    this.#events.writableChanged(true, undefined);
  }
}
