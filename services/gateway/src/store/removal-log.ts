/**
 * Removals seen by every process on one store (WORKERS, #13). A process's memory tier
 * answers a fresh entry without reading LMDB, so a removal made by another process (a
 * successful unsafe method, an index deletion, the sweep) or a replacement of a fresh entry
 * (an origin push, a replicated fill) would go unseen there until the entry left the tier. Each removal is logged in LMDB, in the transaction that makes it,
 * under a sequence number read and advanced inside that transaction (LMDB serializes
 * writers across processes); each process tails the log on a timer, off the hit path, and
 * forgets the keys it names. Only the last LOG_KEEP removals are kept: a process that fell
 * further behind, or a stream reset, forgets everything it holds.
 */
import type { Database, RootDatabase } from 'lmdb';

const META_SEQ = 'removalSeq';
const LOG_KEEP = 10_000;

export class RemovalLog {
  readonly #log: Database<string, number>;
  readonly #meta: Database<unknown, string>;
  readonly #forget: (key: string) => void;
  readonly #forgetAll: () => void;
  #seen: number;
  #timer: NodeJS.Timeout | undefined;

  constructor(root: RootDatabase, meta: Database<unknown, string>, forget: (key: string) => void, forgetAll: () => void) {
    this.#log = root.openDB<string, number>({ name: 'removals', encoding: 'string', keyEncoding: 'ordered-binary' });
    this.#meta = meta;
    this.#forget = forget;
    this.#forgetAll = forgetAll;
    this.#seen = this.#seq();
  }

  #seq(): number {
    return (this.#meta.get(META_SEQ) as number | undefined) ?? 0;
  }

  /** Inside a write transaction: logs a removed key (dropping the oldest beyond LOG_KEEP). */
  appendSync(key: string): void {
    const seq = this.#seq() + 1;
    this.#log.putSync(seq, key);
    if (seq > LOG_KEEP) this.#log.removeSync(seq - LOG_KEEP);
    this.#meta.putSync(META_SEQ, seq);
  }

  /** Inside a write transaction: every process forgets all it holds (a stream reset). */
  forgetAllSync(): void {
    this.#meta.putSync(META_SEQ, this.#seq() + LOG_KEEP + 1);
  }

  start(intervalMs: number): void {
    this.#timer = setInterval(() => this.tail(), intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** Forgets the keys removed since the last tail. */
  tail(): void {
    const seq = this.#seq();
    if (seq === this.#seen) return;
    if (seq - this.#seen > LOG_KEEP) this.#forgetAll();
    else for (const { value } of this.#log.getRange({ start: this.#seen + 1, end: seq + 1 })) this.#forget(value);
    this.#seen = seq;
  }
}
