/**
 * Admission to one origin's connections: MAX_CONNECTIONS requests hold a slot, later ones
 * wait in one FIFO queue of at most ORIGIN_QUEUE_LIMIT for at most ORIGIN_QUEUE_TIMEOUT_MS
 * (nginx `max_conns` + `queue N timeout=T`; Varnish `max_connections` + `wait_limit` /
 * `wait_timeout`). It does not talk to the origin; OriginPool holds a slot per request.
 */
import { OriginBusyError } from '../errors.js';

/** Gives the slot back; calling it more than once has no further effect. */
export type ReleaseSlot = () => void;

interface Waiter {
  grant(release: ReleaseSlot): void;
  fail(err: unknown): void;
}

export interface SlotEvents {
  /** A request left the queue without a slot: the queue was full, or it waited too long. */
  rejected(reason: 'queue-full' | 'queue-timeout'): void;
  /** The number of waiting requests changed. */
  waiting(count: number): void;
  /** The number of held slots changed. */
  busy(count: number): void;
}

export class ConnectionSlots {
  readonly #origin: string;
  readonly #max: number;
  readonly #queueLimit: number;
  readonly #queueTimeoutMs: number;
  readonly #events: SlotEvents;
  /** Insertion-ordered, so the first waiter is the one that has waited longest. */
  readonly #queue = new Set<Waiter>();
  #held = 0;

  constructor(origin: string, max: number, queueLimit: number, queueTimeoutMs: number, events: SlotEvents) {
    this.#origin = origin;
    this.#max = max;
    this.#queueLimit = queueLimit;
    this.#queueTimeoutMs = queueTimeoutMs;
    this.#events = events;
  }

  get held(): number {
    return this.#held;
  }

  get waiting(): number {
    return this.#queue.size;
  }

  /**
   * A slot now if one is free, else after the requests queued before this one. Rejects with
   * OriginBusyError when the queue is full or the wait passes its bound, and with the
   * signal's reason when the request is abandoned (deadline, client gone) while waiting.
   */
  acquire(signal: AbortSignal): Promise<ReleaseSlot> | ReleaseSlot {
    if (signal.aborted) throw signal.reason;
    if (this.#held < this.#max && this.#queue.size === 0) {
      this.#held++;
      this.#events.busy(this.#held);
      return this.#releaser();
    }
    if (this.#queue.size >= this.#queueLimit) {
      this.#events.rejected('queue-full');
      throw new OriginBusyError(this.#origin, 'queue-full');
    }
    return this.#enqueue(signal);
  }

  #enqueue(signal: AbortSignal): Promise<ReleaseSlot> {
    return new Promise<ReleaseSlot>((resolve, reject) => {
      const leave = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        this.#queue.delete(waiter);
        this.#events.waiting(this.#queue.size);
      };
      const waiter: Waiter = {
        grant: (release) => {
          leave();
          resolve(release);
        },
        fail: (err) => {
          leave();
          reject(err);
        },
      };
      const onAbort = () => waiter.fail(signal.reason);
      const timer = setTimeout(() => {
        this.#events.rejected('queue-timeout');
        waiter.fail(new OriginBusyError(this.#origin, 'queue-timeout'));
      }, this.#queueTimeoutMs);
      signal.addEventListener('abort', onAbort, { once: true });
      this.#queue.add(waiter);
      this.#events.waiting(this.#queue.size);
    });
  }

  #releaser(): ReleaseSlot {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      // The slot passes straight to the longest waiter, so a free slot never sits idle
      // while someone queues for it.
      const next = this.#queue.values().next();
      if (next.done === true) {
        this.#held--;
        this.#events.busy(this.#held);
        return;
      }
      next.value.grant(this.#releaser());
    };
  }
}
