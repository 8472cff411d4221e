/**
 * The gateway's local LMDB store: cache entries (binary values) and a little metadata
 * (which invalidation stream the entries' fillSeqs refer to). Writes are async puts
 * that lmdb-js batches into one transaction per event turn (NATS-LMDB-NOTES §7); an
 * entry is readable from the moment it is put (held in memory until its commit), so no
 * request waits for a disk commit and one commit carries many fills.
 */
import { createHash } from 'node:crypto';
import { open, type Database, type RootDatabase } from 'lmdb';
import { decodeEntry, encodeEntry, type CacheEntry, type EntryMeta } from './cache-entry.js';

/** Index keys longer than this are hashed (LMDB's key limit is 1,978 bytes). */
const MAX_INDEX_KEY = 1000;

/** `t\0<tag>` or `u\0<normalized path>`: the secondary index key of a tag or a URL path. */
export function indexKey(kind: 'tag' | 'url', value: string): string {
  const key = `${kind === 'tag' ? 't' : 'u'}\u0000${value}`;
  return key.length <= MAX_INDEX_KEY ? key : `${key.slice(0, 2)}#${createHash('md5').update(key).digest('hex')}`;
}

const META_INVALIDATIONS_STREAM = 'invalidationsStreamCreated';

export class LmdbStore {
  readonly #root: RootDatabase;
  readonly #entries: Database<Buffer, string>;
  readonly #meta: Database<string, string>;
  /** Secondary indexes, tag → entry keys and URL path → entry keys (duplicate values). */
  readonly #index: Database<string, string>;
  /** Entries put but not yet committed, by key. */
  readonly #pending = new Map<string, CacheEntry>();
  readonly #onWriteError: (err: unknown, key: string) => void;

  constructor(path: string, onWriteError: (err: unknown, key: string) => void) {
    this.#onWriteError = onWriteError;
    this.#root = open({ path, compression: false });
    this.#entries = this.#root.openDB<Buffer, string>({ name: 'entries', encoding: 'binary' });
    this.#meta = this.#root.openDB<string, string>({ name: 'meta', encoding: 'msgpack' });
    this.#index = this.#root.openDB<string, string>({ name: 'index', encoding: 'string', dupSort: true });
  }

  get(key: string): CacheEntry | undefined {
    const pending = this.#pending.get(key);
    if (pending !== undefined) return pending;
    // getBinary copies the value, so the body may outlive the next read (unlike getBinaryFast).
    const value = this.#entries.getBinary(key);
    return value === undefined ? undefined : decodeEntry(value);
  }

  /**
   * Stores an entry and its index values (its tags, its URL path) in one write
   * transaction: readable at once, committed with the other writes of this event turn.
   */
  put(key: string, meta: EntryMeta, body: Buffer): void {
    const entry = { meta, body };
    this.#pending.set(key, entry);
    const value = encodeEntry(meta, body);
    this.#root.transaction(() => {
      void this.#entries.put(key, value);
      for (const tag of meta.tags) void this.#index.put(indexKey('tag', tag), key);
      void this.#index.put(indexKey('url', meta.urlPath), key);
    }).then(
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

  /** Removes an entry, ordered after every put issued before (transactions run in order). */
  async remove(key: string): Promise<void> {
    this.#pending.delete(key);
    await this.#root.transaction(() => {
      void this.#entries.remove(key);
    });
  }

  /**
   * Deletes the entries a tag or URL invalidation names, through the secondary index, never
   * a scan. Index values can be stale (the entry was replaced or removed), so `decide` sees
   * each entry's current metadata: delete it, keep it (filled after the event, say), or
   * drop the index value (it no longer carries the tag or path). Returns how many were deleted.
   */
  async deleteIndexed(kind: 'tag' | 'url', value: string, decide: (meta: EntryMeta) => 'delete' | 'keep' | 'unindex'): Promise<number> {
    const indexed = indexKey(kind, value);
    let deleted = 0;
    await this.#root.transaction(() => {
      for (const key of [...this.#index.getValues(indexed)]) {
        const entry = this.get(key);
        const decision = entry === undefined ? 'unindex' : decide(entry.meta);
        if (decision === 'keep') continue;
        if (decision === 'delete') {
          this.#pending.delete(key);
          void this.#entries.remove(key);
          deleted++;
        }
        void this.#index.remove(indexed, key);
      }
    });
    return deleted;
  }

  /** Up to `limit` entries' metadata in key order, starting after `afterKey` (for the sweep). */
  scan(afterKey: string | undefined, limit: number): Array<{ key: string; meta: EntryMeta }> {
    const out: Array<{ key: string; meta: EntryMeta }> = [];
    for (const { key, value } of this.#entries.getRange({ ...(afterKey === undefined ? {} : { start: afterKey }), limit: limit + 1 })) {
      if (key === afterKey) continue;
      if (out.length === limit) break;
      out.push({ key, meta: decodeEntry(value).meta });
    }
    return out;
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
    // Puts already queued must land before the clear, not after it (writes outside a
    // transaction are not ordered with transactions).
    await this.#root.transaction(() => undefined);
    await this.#entries.clearAsync();
    await this.#index.clearAsync();
    await this.#meta.put(META_INVALIDATIONS_STREAM, created);
  }

  async close(): Promise<void> {
    await this.flushed();
    await this.#root.close();
  }
}
