/**
 * The gateway's local LMDB store: cache entries (binary values) and a little metadata
 * (which invalidation stream the entries' fillSeqs refer to). Writes are async puts
 * that lmdb-js batches into one transaction per event turn (NATS-LMDB-NOTES §7); an
 * entry is readable from the moment it is put (held in memory until its commit), so no
 * request waits for a disk commit and one commit carries many fills.
 */
import { open, type Database, type RootDatabase } from 'lmdb';
import { decodeEntry, encodeEntry, type CacheEntry, type EntryMeta } from './cache-entry.js';

const META_INVALIDATIONS_STREAM = 'invalidationsStreamCreated';

export class LmdbStore {
  readonly #root: RootDatabase;
  readonly #entries: Database<Buffer, string>;
  readonly #meta: Database<string, string>;
  /** Entries put but not yet committed, by key. */
  readonly #pending = new Map<string, CacheEntry>();
  readonly #onWriteError: (err: unknown, key: string) => void;

  constructor(path: string, onWriteError: (err: unknown, key: string) => void) {
    this.#onWriteError = onWriteError;
    this.#root = open({ path, compression: false });
    this.#entries = this.#root.openDB<Buffer, string>({ name: 'entries', encoding: 'binary' });
    this.#meta = this.#root.openDB<string, string>({ name: 'meta', encoding: 'msgpack' });
  }

  get(key: string): CacheEntry | undefined {
    const pending = this.#pending.get(key);
    if (pending !== undefined) return pending;
    // getBinary copies the value, so the body may outlive the next read (unlike getBinaryFast).
    const value = this.#entries.getBinary(key);
    return value === undefined ? undefined : decodeEntry(value);
  }

  /** Stores an entry: readable at once, committed with the other puts of this event turn. */
  put(key: string, meta: EntryMeta, body: Buffer): void {
    const entry = { meta, body };
    this.#pending.set(key, entry);
    this.#entries.put(key, encodeEntry(meta, body)).then(
      () => this.#settle(key, entry),
      (err: unknown) => {
        this.#settle(key, entry);
        this.#onWriteError(err, key);
      },
    );
  }

  #settle(key: string, entry: CacheEntry): void {
    if (this.#pending.get(key) === entry) this.#pending.delete(key);
  }

  async remove(key: string): Promise<void> {
    this.#pending.delete(key);
    await this.#entries.remove(key);
  }

  /** Resolves when every put issued so far is committed and flushed (for shutdown). */
  async flushed(): Promise<void> {
    await this.#entries.flushed;
  }

  get entryCount(): number {
    return (this.#entries.getStats() as { entryCount: number }).entryCount;
  }

  /** The creation time of the invalidation stream the stored fillSeqs refer to. */
  get invalidationsStreamCreated(): string | undefined {
    return this.#meta.get(META_INVALIDATIONS_STREAM);
  }

  /**
   * Drops every entry and records the stream the next entries will refer to: fillSeqs of
   * another stream are meaningless (DESIGN.md §5).
   */
  async resetForStream(created: string): Promise<void> {
    this.#pending.clear();
    await this.#entries.clearAsync();
    await this.#meta.put(META_INVALIDATIONS_STREAM, created);
  }

  async close(): Promise<void> {
    await this.flushed();
    await this.#root.close();
  }
}
