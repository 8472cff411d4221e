/**
 * The gateway's local LMDB store: cache entries (binary values) and a little metadata
 * (which invalidation stream the entries' fillSeqs refer to). Writes are async puts
 * that lmdb-js batches per event turn (NATS-LMDB-NOTES §7).
 */
import { open, type Database, type RootDatabase } from 'lmdb';
import { decodeEntry, encodeEntry, type CacheEntry, type EntryMeta } from './cache-entry.js';

const META_INVALIDATIONS_STREAM = 'invalidationsStreamCreated';

export class LmdbStore {
  readonly #root: RootDatabase;
  readonly #entries: Database<Buffer, string>;
  readonly #meta: Database<string, string>;

  constructor(path: string) {
    this.#root = open({ path, compression: false });
    this.#entries = this.#root.openDB<Buffer, string>({ name: 'entries', encoding: 'binary' });
    this.#meta = this.#root.openDB<string, string>({ name: 'meta', encoding: 'msgpack' });
  }

  get(key: string): CacheEntry | undefined {
    // getBinary copies the value, so the body may outlive the next read (unlike getBinaryFast).
    const value = this.#entries.getBinary(key);
    return value === undefined ? undefined : decodeEntry(value);
  }

  async put(key: string, meta: EntryMeta, body: Buffer): Promise<void> {
    await this.#entries.put(key, encodeEntry(meta, body));
  }

  async remove(key: string): Promise<void> {
    await this.#entries.remove(key);
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
    await this.#entries.clearAsync();
    await this.#meta.put(META_INVALIDATIONS_STREAM, created);
  }

  async close(): Promise<void> {
    await this.#root.close();
  }
}
