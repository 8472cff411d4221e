/**
 * The gateway's local LMDB store: cache entries (binary values), the tag and URL indexes,
 * and a little metadata (which invalidation stream the entries' fillSeqs refer to). Writes
 * are transactions that lmdb-js batches while its write thread is busy (measured with lmdb-js
 * 3.5); an entry is readable from the moment it is put (held in memory until its commit),
 * so no request waits for a disk commit. A store that cannot write (disk full) keeps
 * serving what it holds and stops writing until a probe succeeds (write-health.ts). Writes
 * that would pass CACHE_MAX_BYTES evict in their own transaction (store-bound.ts).
 */
import { open, type Database, type RootDatabase } from 'lmdb';
import { decodeEntry, encodeEntry, type CacheEntry, type EntryMeta } from './cache-entry.js';
import { indexKey } from './index-key.js';
import { SharedEntries } from './shared-entries.js';
import { entryBytes, initialMapSize, StoreBound } from './store-bound.js';
import { Tombstones } from './tombstones.js';
import { isVariantMarker, nextVariants, variantKey, type VariantMeta } from './variants.js';
import { DEFAULT_BACKOFF, WriteHealth, type BackoffOptions, type StoreEvents, type StoreWriteOp, type WriteHealthState } from './write-health.js';

export { indexKey } from './index-key.js';

const META_INVALIDATIONS_STREAM = 'invalidationsStreamCreated';
const META_WRITE_PROBE = 'writeProbe';
const META_INDEX_FORMAT = 'indexFormat';
/**
 * 2: long index keys hashed by UTF-8 length into their own namespace (index-key.ts). A
 * store written before has its long keys' index values elsewhere: `reindex` adds them.
 */
const INDEX_FORMAT = 2;
const REINDEX_BATCH = 1000;
/** The probe writes this much, so room for a probe is room for a typical fill. */
const PROBE_BYTES = 256 * 1024;
/** Index deletions commit in transactions of at most this many entries, between event turns. */
const DELETE_CHUNK = 500;
/** How long close waits for lmdb-js: after a failed commit its flush promise never settles. */
const CLOSE_TIMEOUT_MS = 5000;

const EMPTY_BODY = Buffer.alloc(0);

/** A put ready for its transaction: the entry readable meanwhile, its encoded value, the tombstone it lands after. */
interface PreparedPut {
  key: string;
  entry: CacheEntry;
  value: Buffer;
  bytes: number;
  removal: number | undefined;
}

const SILENT: StoreEvents = { writeFailed: () => undefined, writableChanged: () => undefined, writeSkipped: () => undefined, evicted: () => undefined, boundLowered: () => undefined };

export interface LmdbStoreOptions {
  events?: StoreEvents;
  backoff?: BackoffOptions;
  /** CACHE_MAX_BYTES (store-bound.ts); unbounded when absent. */
  maxBytes?: number;
}

export class LmdbStore {
  readonly #root: RootDatabase;
  readonly #entries: Database<Buffer, string>;
  readonly #meta: Database<unknown, string>;
  /** Secondary indexes, tag → entry keys and URL path → entry keys (duplicate values). */
  readonly #index: Database<string, string>;
  /** Entries put but not yet committed, by key. */
  readonly #pending = new Map<string, CacheEntry>();
  readonly #shared = new SharedEntries();
  readonly #removed = new Tombstones();
  readonly #health: WriteHealth;
  readonly #events: StoreEvents;
  /** A stream reset whose clear did not commit: nothing on disk may be served until it does. */
  #resetTo: string | undefined;
  readonly #bound: StoreBound;

  constructor(path: string, options: LmdbStoreOptions = {}) {
    this.#events = options.events ?? SILENT;
    // eventTurnBatching off: with it on, lmdb-js 3.5 starts each event turn's batch with a
    // commit promise no caller holds, so a failed commit (disk full) became an unhandled
    // rejection that crashed the process (#9). Transactions are still batched while the
    // write thread is busy.
    const maxBytes = options.maxBytes ?? Infinity;
    const mapSize = initialMapSize(maxBytes);
    this.#root = open({ path, compression: false, eventTurnBatching: false, ...(mapSize === undefined ? {} : { mapSize }) });
    this.#entries = this.#root.openDB<Buffer, string>({ name: 'entries', encoding: 'binary' });
    this.#meta = this.#root.openDB<unknown, string>({ name: 'meta', encoding: 'msgpack' });
    this.#index = this.#root.openDB<string, string>({ name: 'index', encoding: 'string', dupSort: true });
    this.#bound = new StoreBound(this.#root, { entries: this.#entries, index: this.#index, meta: this.#meta }, maxBytes);
    this.#bound.load();
    const events = this.#events;
    this.#health = new WriteHealth(
      () => this.#recover(),
      {
        writeFailed: (op, err) => events.writeFailed(op, err),
        writeSkipped: () => events.writeSkipped(),
        writableChanged: (writable, err) => {
          events.writableChanged(writable, err);
          // Removals made between the probe's last step and now are still only tombstones.
          if (writable) void this.#commitTombstones();
        },
      },
      options.backoff ?? DEFAULT_BACKOFF,
    );
  }

  get(key: string): CacheEntry | undefined {
    this.#bound.touch(key);
    const pending = this.#pending.get(key);
    if (pending !== undefined) return pending;
    if (this.#resetTo !== undefined || this.#removed.has(key)) return undefined;
    const shared = this.#shared.get(key);
    if (shared !== undefined) return shared;
    // getBinary copies the value, so the body may outlive the next read (unlike getBinaryFast).
    const value = this.#entries.getBinary(key);
    if (value === undefined) return undefined;
    const entry = decodeEntry(value);
    this.#shared.offer(key, entry);
    return entry;
  }

  /** Whether writes are attempted; false after a failed commit, until the probe succeeds. */
  get writable(): boolean {
    return this.#health.writable;
  }

  /** Whether a response about to be stored can be; a refusal counts as a skipped write. */
  canStore(): boolean {
    if (this.#health.writable) return true;
    this.#events.writeSkipped();
    return false;
  }

  get writeState(): WriteHealthState {
    return this.#health.state;
  }

  /**
   * Stores an entry and its index values (its tags, its URL path) in one write
   * transaction: readable at once, committed with the other writes of this event turn.
   * Returns false, writing nothing, while the store is not writable: the caller delivers
   * the response all the same, unstored.
   */
  put(key: string, meta: EntryMeta, body: Buffer): boolean {
    if (!this.#canWrite(key)) return false;
    // A response that no longer varies replaces its URL's marker, and the variants go with it.
    const current = this.#storedMeta(key);
    const removals = current === undefined ? [] : this.variantKeys(key, current);
    const puts = [this.#prepare(key, meta, body)];
    this.#write(puts, removals, this.#victims(puts));
    return true;
  }

  /**
   * Stores a variant (store/variants.ts) under `urlKey` and updates the URL key's marker in
   * the same transaction: the variant becomes the most recent, and the oldest beyond
   * `maxVariants` are removed. The marker is read here, in issue order, so concurrent
   * variant stores each see the one before. Returns false, writing nothing, like `put`.
   */
  putVariant(urlKey: string, meta: VariantMeta, body: Buffer, maxVariants: number): boolean {
    const key = variantKey(urlKey, meta.variantId);
    if (!this.#canWrite(key)) return false;
    this.#shared.forget(urlKey);
    const current = this.#storedMeta(urlKey);
    const previous = current !== undefined && isVariantMarker(current) ? current : undefined;
    const list = nextVariants(previous, meta.varyOn, meta.variantId, maxVariants);
    // The marker outlives any one variant: it never expires, and carries no tags (a tag
    // purge removes the variants that have it); the sweep removes it once no variant is left.
    const marker: EntryMeta = { ...meta, tags: [], expiresAt: 0, variantId: undefined, variants: list.ids };
    const evicted = list.evicted.map((id) => variantKey(urlKey, id));
    const puts = [this.#prepare(urlKey, marker, EMPTY_BODY), this.#prepare(key, meta, body)];
    this.#write(puts, evicted, this.#victims(puts));
    return true;
  }

  /** The variant keys a URL key's marker lists; none when it holds a response. */
  variantKeys(urlKey: string, meta: EntryMeta): string[] {
    return isVariantMarker(meta) ? (meta.variants ?? []).map((id) => variantKey(urlKey, id)) : [];
  }

  /**
   * The metadata stored (or pending) under a key, read without copying the body and
   * without sharing it: a write is about to replace it.
   */
  #storedMeta(key: string): EntryMeta | undefined {
    const pending = this.#pending.get(key);
    if (pending !== undefined) return pending.meta;
    if (this.#resetTo !== undefined || this.#removed.has(key)) return undefined;
    const value = this.#entries.getBinaryFast(key);
    return value === undefined ? undefined : decodeEntry(value).meta;
  }

  #canWrite(key: string): boolean {
    this.#shared.forget(key);
    if (this.#health.writable) return true;
    this.#events.writeSkipped();
    return false;
  }

  #prepare(key: string, meta: EntryMeta, body: Buffer): PreparedPut {
    const entry = { meta, body };
    this.#pending.set(key, entry);
    const value = encodeEntry(meta, body);
    const bytes = entryBytes(key, value.length, meta);
    this.#bound.written(key, bytes);
    return { key, entry, value, bytes, removal: this.#removed.mark(key) };
  }

  /** The entries to evict so these puts fit the bound (none while it has room). */
  #victims(puts: PreparedPut[]): string[] {
    if (this.#bound.bytes <= this.#bound.maxBytes) return [];
    const victims = this.#bound.victims(
      puts.map((put) => put.key),
      (key) => {
        const meta = this.#storedMeta(key);
        return meta === undefined ? [] : this.variantKeys(key, meta);
      },
    );
    if (victims.length > 0) this.#events.evicted('bound', victims.length);
    return victims;
  }

  /**
   * One transaction: the puts with their index values and sizes, then the removals, then
   * the evictions (which take their index values with them, store-bound.ts).
   */
  #write(puts: PreparedPut[], removals: string[], evictions: string[] = []): void {
    if (evictions.length > 0) removals = removals.concat(evictions);
    const marks = removals.map((key) => {
      this.#pending.delete(key);
      this.#shared.forget(key);
      this.#bound.forget(key);
      return this.#removed.add(key);
    });
    const plainRemovals = removals.length - evictions.length;
    this.#root
      .transaction(() => {
        for (const { key, entry, value, bytes } of puts) {
          this.#unindexReplacedSync(key, entry.meta);
          this.#entries.putSync(key, value);
          for (const tag of entry.meta.tags) this.#index.putSync(indexKey('tag', tag), key);
          this.#index.putSync(indexKey('url', entry.meta.urlPath), key);
          this.#bound.recordSync(key, bytes);
        }
        for (let i = 0; i < removals.length; i++) {
          const key = removals[i] as string;
          if (i < plainRemovals) {
            this.#entries.removeSync(key);
            this.#bound.dropSync(key);
          } else {
            this.#bound.evictSync(key);
          }
        }
      })
      .then(
        () => {
          for (const { key, entry, removal } of puts) {
            this.#settle(key, entry);
            // Committed after any removal issued before it: that removal no longer matters.
            this.#removed.clear(key, removal);
          }
          removals.forEach((key, i) => this.#removed.clear(key, marks[i]));
        },
        (err: unknown) => {
          for (const { key, entry } of puts) this.#settle(key, entry);
          this.#health.failed('put', err);
        },
      );
  }

  /**
   * Inside a write: the index values of the entry being replaced that the new one does not
   * have (a refill whose tags changed). Left behind, they would grow the index without bound
   * and uncounted, and a tag purge would reach an entry that no longer carries the tag.
   */
  #unindexReplacedSync(key: string, meta: EntryMeta): void {
    const stored = this.#entries.getBinaryFast(key);
    if (stored === undefined) return;
    const was = decodeEntry(stored).meta;
    for (const tag of was.tags) if (!meta.tags.includes(tag)) this.#index.removeSync(indexKey('tag', tag), key);
    if (was.urlPath !== meta.urlPath) this.#index.removeSync(indexKey('url', was.urlPath), key);
  }

  #settle(key: string, entry: CacheEntry): void {
    if (this.#pending.get(key) === entry) this.#pending.delete(key);
  }

  /**
   * Removes an entry, ordered after every put issued before (transactions run in order).
   * Never rejects: a removal that cannot commit (or is not attempted, the store not being
   * writable) leaves a tombstone that hides the stored entry until a removal commits.
   */
  async remove(key: string): Promise<void> {
    this.#pending.delete(key);
    this.#shared.forget(key);
    this.#bound.forget(key);
    const mark = this.#removed.add(key);
    if (!this.#health.writable) return;
    try {
      await this.#root.transaction(() => {
        this.#entries.removeSync(key);
        this.#bound.dropSync(key);
      });
      this.#removed.clear(key, mark);
    } catch (err) {
      this.#health.failed('remove', err);
    }
  }

  /**
   * Deletes the entries a tag or URL invalidation names, through the secondary index, never
   * a scan. Index values can be stale (the entry was replaced or removed), so `decide` sees
   * each entry's current metadata: delete it, keep it (filled after the event, say), or
   * drop the index value (it no longer carries the tag or path). Returns how many were
   * deleted; 0 without trying while the store is not writable (the invalidation map alone
   * decides validity; the sweep reclaims the space later).
   */
  async deleteIndexed(kind: 'tag' | 'url', value: string, decide: (meta: EntryMeta) => 'delete' | 'keep' | 'unindex'): Promise<number> {
    if (!this.#health.writable) return 0;
    const indexed = indexKey(kind, value);
    // Read outside the write transaction (#9): inside one, lmdb-js 3.5 iterates with
    // `snapshot: false` and decodes every step's key from its shared key buffer, which the
    // native cursor does not fill when it walks one key's duplicate values; ordered-binary
    // then parsed leftover bytes as a number and threw a RangeError (BigInt) for most URLs.
    // Transactions commit in order: once this empty one has, every put issued before this
    // call is committed and in the snapshot read next, as it was inside the transaction.
    let deleted = 0;
    try {
      await this.#root.transaction(() => undefined);
      const keys = [...this.#index.getValues(indexed)];
      for (let start = 0; start < keys.length; start += DELETE_CHUNK) {
        const chunk = keys.slice(start, start + DELETE_CHUNK);
        await this.#root.transaction(() => {
          for (const key of chunk) deleted += this.#deleteOne(indexed, key, decide);
        });
      }
    } catch (err) {
      this.#health.failed('delete-indexed', err);
    }
    return deleted;
  }

  /** Inside a write transaction: the entry's current state decides. */
  #deleteOne(indexed: string, key: string, decide: (meta: EntryMeta) => 'delete' | 'keep' | 'unindex'): number {
    const entry = this.get(key);
    const decision = entry === undefined ? 'unindex' : decide(entry.meta);
    if (decision === 'keep') return 0;
    this.#index.removeSync(indexed, key);
    if (decision === 'unindex') return 0;
    this.#pending.delete(key);
    this.#shared.forget(key);
    this.#bound.forget(key);
    this.#entries.removeSync(key);
    this.#bound.dropSync(key);
    return 1;
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

  get entryCount(): number {
    return (this.#entries.getStats() as { entryCount: number }).entryCount;
  }

  /** The creation time of the invalidation stream the stored fillSeqs refer to. */
  get invalidationsStreamCreated(): string | undefined {
    return this.#resetTo ?? (this.#meta.get(META_INVALIDATIONS_STREAM) as string | undefined);
  }

  /**
   * Drops every entry and records the stream the next entries will refer to: fillSeqs of
   * another stream are meaningless (README, Invalidation). If the clear cannot commit, nothing on
   * disk is served until it does (the recovery probe retries it).
   */
  async resetForStream(created: string): Promise<void> {
    this.#pending.clear();
    this.#shared.clear();
    this.#removed.reset();
    this.#resetTo = created;
    if (!this.#health.writable) return;
    try {
      await this.#clear(created);
    } catch (err) {
      this.#health.failed('reset', err);
    }
  }

  async #clear(created: string): Promise<void> {
    // Puts already queued must land before the clear, not after it (writes outside a
    // transaction are not ordered with transactions).
    await this.#root.transaction(() => undefined);
    await this.#entries.clearAsync();
    await this.#index.clearAsync();
    await this.#bound.clear();
    await this.#root.transaction(() => {
      this.#meta.putSync(META_INVALIDATIONS_STREAM, created);
      this.#meta.putSync(META_INDEX_FORMAT, INDEX_FORMAT);
    });
    if (this.#resetTo === created) this.#resetTo = undefined;
  }

  /** The probe: a pending reset, then a write as large as a typical fill, then tombstoned removals. */
  async #recover(): Promise<void> {
    if (this.#resetTo !== undefined) await this.#clear(this.#resetTo);
    await this.#evictAfterFull();
    await this.#root.transaction(() => {
      this.#meta.putSync(META_WRITE_PROBE, Buffer.alloc(PROBE_BYTES));
    });
    await this.#root.transaction(() => {
      this.#meta.removeSync(META_WRITE_PROBE);
    });
    await this.#commitRemovals();
    // Failed commits left the in-memory total off: recount from the size records (metadata only).
    this.#bound.load();
  }

  /**
   * A commit failed, most likely a full map or disk (MDB_MAP_FULL, ENOSPC): the bound drops
   * below what was stored then and the evictions that meet it commit before the probe, so
   * the retried writes find free pages. Throws when even they cannot commit; the probe
   * retries later, with the entries already hidden by their tombstones.
   */
  async #evictAfterFull(): Promise<void> {
    const maxBytes = this.#bound.lowerAfterFull();
    const victims = this.#bound.victims([], (key) => {
      const meta = this.#storedMeta(key);
      return meta === undefined ? [] : this.variantKeys(key, meta);
    });
    this.#events.boundLowered(maxBytes);
    if (victims.length === 0) return;
    const marks = victims.map((key) => {
      this.#pending.delete(key);
      this.#shared.forget(key);
      return this.#removed.add(key);
    });
    await this.#root.transaction(() => {
      for (const key of victims) this.#bound.evictSync(key);
    });
    victims.forEach((key, i) => this.#removed.clear(key, marks[i]));
    this.#events.evicted('map-full', victims.length);
  }

  /** Stored bytes as the bound counts them (store-bound.ts), entries, and the bound in force. */
  get bound(): { bytes: number; entries: number; maxBytes: number } {
    return { bytes: this.#bound.bytes, entries: this.#bound.entries, maxBytes: this.#bound.maxBytes };
  }

  /** Commits the removals only tombstones hold so far (a failure leaves them for the next probe). */
  async #commitRemovals(): Promise<void> {
    const removals = this.#removed.snapshot();
    if (removals.length === 0) return;
    await this.#root.transaction(() => {
      for (const key of removals.keys) {
        this.#entries.removeSync(key);
        this.#bound.dropSync(key);
      }
    });
    this.#removed.clearAll(removals);
  }

  async #commitTombstones(): Promise<void> {
    try {
      await this.#commitRemovals();
    } catch (err) {
      this.#health.failed('remove', err);
    }
  }

  /** Whether the index was written in an older key format (a store from before #9). */
  get indexOutdated(): boolean {
    return this.#meta.get(META_INDEX_FORMAT) !== INDEX_FORMAT;
  }

  /**
   * Adds every entry's index values under the current key format, a batch per transaction
   * with event turns between, then records the format. Values under old keys stay until an
   * invalidation's `unindex` drops them. Returns the entries walked; never rejects.
   */
  async reindex(): Promise<number> {
    let walked = 0;
    let after: string | undefined;
    try {
      for (;;) {
        if (!this.#health.writable) return walked;
        const batch = this.scan(after, REINDEX_BATCH);
        if (batch.length === 0) break;
        await this.#root.transaction(() => {
          for (const { key, meta } of batch) {
            for (const tag of meta.tags) this.#index.putSync(indexKey('tag', tag), key);
            this.#index.putSync(indexKey('url', meta.urlPath), key);
          }
        });
        walked += batch.length;
        after = batch[batch.length - 1]?.key;
      }
      await this.#root.transaction(() => {
        this.#meta.putSync(META_INDEX_FORMAT, INDEX_FORMAT);
      });
    } catch (err) {
      this.#health.failed('reindex', err);
    }
    return walked;
  }

  /**
   * Resolves once every write issued so far has committed (transactions commit in order), so
   * another process reading the same store sees them; rejects when one failed.
   */
  async flushed(): Promise<void> {
    await this.#root.transaction(() => undefined);
  }

  /** Resolves once every write issued so far has committed or failed (bounded; for shutdown). */
  async close(): Promise<void> {
    this.#health.stop();
    const bound = <T>(work: Promise<T>): Promise<unknown> =>
      Promise.race([work.catch(() => undefined), new Promise((resolve) => setTimeout(resolve, CLOSE_TIMEOUT_MS).unref())]);
    await bound(this.#root.transaction(() => undefined));
    await bound(this.#root.close());
  }
}

export type { StoreEvents, StoreWriteOp };
