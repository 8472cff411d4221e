/**
 * The gateway's local LMDB store: cache entries (heads and bodies apart, cache-entry.ts),
 * the tag and URL indexes, and a little metadata (which invalidation stream the entries' fillSeqs refer to). Writes
 * are transactions that lmdb-js batches while its write thread is busy (measured with lmdb-js
 * 3.5); an entry is readable from the moment it is put (held in memory until its commit),
 * so no request waits for a disk commit. A store that cannot write (disk full) keeps
 * serving what it holds and stops writing until a probe succeeds (write-health.ts). Writes
 * that would pass CACHE_MAX_BYTES evict in their own transaction (store-bound.ts). Hot
 * entries are also held in memory (MEMORY_CACHE_BYTES, memory-tier.ts).
 *
 * Several processes may open one store (WORKERS): LMDB serializes their write
 * transactions, and the bound's total lives in LMDB (store-bound.ts). A process sees
 * another's commit soon after it: lmdb-js 3.5 keeps one read transaction per process and
 * resets it with setTimeout(0) after its first read (read.js, renewReadTxn), so a read after
 * that timer starts a new snapshot. A commit announced over IPC can arrive before the timer
 * (within a millisecond of this process's last read): `readLatest` then ends the snapshot
 * (the flow does before reading what another worker announced). What this process holds in memory
 * (the tier, shared entries) does not see another's writes: lookup re-reads an entry the
 * tier answered before refusing it (`reread`), and a put that replaces an entry is logged
 * like a removal (removal-log.ts), so a fresh copy another process holds is forgotten too.
 */
import { open, type Database, type RootDatabase } from 'lmdb';
import { decodeMeta, decodeWholeEntry, encodeHead, isWholeEntry, type CacheEntry, type EntryMeta } from './cache-entry.js';
import { indexKey } from './index-key.js';
import { MemoryTier } from './memory-tier.js';
import { RemovalLog } from './removal-log.js';
import { SharedEntries } from './shared-entries.js';
import { entryBytes, initialMapSize, StoreBound, type EvictionReason } from './store-bound.js';
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
const META_ENTRY_LAYOUT = 'entryLayout';
/** 2: heads in `entries`, bodies in `bodies` (#13). A store written before holds whole entries: `migrate` splits them. */
const ENTRY_LAYOUT = 2;
/** Whole entries carry their bodies: fewer per migration transaction than index values. */
const MIGRATE_BATCH = 200;
/** The probe writes this much, so room for a probe is room for a typical fill. */
const PROBE_BYTES = 256 * 1024;
/** Index deletions commit in transactions of at most this many entries, between event turns. */
const DELETE_CHUNK = 500;
/** How often a process with a memory tier reads the removals other processes logged (removal-log.ts). */
const REMOVAL_TAIL_MS = 50;
/** How long close waits for lmdb-js: after a failed commit its flush promise never settles. */
const CLOSE_TIMEOUT_MS = 5000;

const EMPTY_BODY = Buffer.alloc(0);

/** A put ready for its transaction: the entry readable meanwhile, its encoded head, the tombstone it lands after. */
interface PreparedPut {
  key: string;
  entry: CacheEntry;
  head: Buffer;
  bytes: number;
  removal: number | undefined;
}

const SILENT: StoreEvents = { writeFailed: () => undefined, writableChanged: () => undefined, writeSkipped: () => undefined, evicted: () => undefined, boundLowered: () => undefined };

export interface LmdbStoreOptions {
  events?: StoreEvents;
  backoff?: BackoffOptions;
  /** CACHE_MAX_BYTES (store-bound.ts); unbounded when absent. */
  maxBytes?: number;
  /** This process's share of MEMORY_CACHE_BYTES (memory-tier.ts); 0 or absent: no memory tier. */
  memoryBytes?: number;
}

export interface MemoryTierState {
  bytes: number;
  entries: number;
  hits: number;
  maxBytes: number;
}

/**
 * A value lmdb-js read into its reused buffer, copied: neither copy is zero-filled (getBinary
 * zero-fills values over 32 KiB before copying into them). One that will be `kept` long (in
 * the memory tier) gets memory of its own, so it holds no 8 KiB pool slab alive and the
 * tier's byte count is what it holds; others may come from the pool (measured for #13: for
 * a 1 KiB body allocUnsafeSlow costs about 0.9 µs more). The reused buffer reports the
 * value's length as its `length`, not its own size, hence the explicit end.
 */
function copyOf(value: Uint8Array, kept: boolean): Buffer {
  const length = value.length;
  const copy = kept ? Buffer.allocUnsafeSlow(length) : Buffer.allocUnsafe(length);
  copy.set(length === value.byteLength ? value : value.subarray(0, length));
  return copy;
}

export class LmdbStore {
  readonly #root: RootDatabase;
  /** Entry heads (metadata) by key; in a store not yet migrated, some whole entries. */
  readonly #entries: Database<Buffer, string>;
  /** Raw bodies by key; none for an empty body. */
  readonly #bodies: Database<Buffer, string>;
  readonly #meta: Database<unknown, string>;
  /** Secondary indexes, tag → entry keys and URL path → entry keys (duplicate values). */
  readonly #index: Database<string, string>;
  /** Entries put but not yet committed, by key. */
  readonly #pending = new Map<string, CacheEntry>();
  readonly #shared = new SharedEntries();
  readonly #memory: MemoryTier;
  /** With a memory tier only: what it must forget of other processes' removals. */
  readonly #removals: RemovalLog | undefined;
  readonly #removed = new Tombstones();
  readonly #health: WriteHealth;
  readonly #events: StoreEvents;
  /** A stream reset whose clear did not commit: nothing on disk may be served until it does. */
  #resetTo: string | undefined;
  readonly #bound: StoreBound;
  #lastWrite: Promise<unknown> = Promise.resolve();

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
    this.#bodies = this.#root.openDB<Buffer, string>({ name: 'bodies', encoding: 'binary' });
    this.#meta = this.#root.openDB<unknown, string>({ name: 'meta', encoding: 'msgpack' });
    this.#index = this.#root.openDB<string, string>({ name: 'index', encoding: 'string', dupSort: true });
    this.#memory = new MemoryTier(options.memoryBytes ?? 0);
    if (this.#memory.maxBytes > 0) {
      this.#removals = new RemovalLog(
        this.#root,
        this.#meta,
        (key) => {
          this.#shared.forget(key);
          this.#memory.forget(key);
        },
        () => {
          this.#shared.clear();
          this.#memory.clear();
        },
      );
      this.#removals.start(REMOVAL_TAIL_MS);
    }
    this.#bound = new StoreBound(this.#root, { entries: this.#entries, bodies: this.#bodies, index: this.#index, meta: this.#meta }, maxBytes);
    this.#bound.load();
    // A new store starts in the current layout; one with entries waits for `migrate`.
    if (this.#meta.get(META_ENTRY_LAYOUT) === undefined && this.entryCount === 0) {
      this.#meta.transactionSync(() => this.#meta.putSync(META_ENTRY_LAYOUT, ENTRY_LAYOUT));
    }
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
    const memory = this.#memory.get(key);
    if (memory !== undefined) return memory;
    const shared = this.#shared.get(key);
    if (shared !== undefined) return shared;
    return this.#load(key);
  }

  /**
   * Makes the next read see what every process has committed by now. lmdb-js keeps a read
   * snapshot until a timer (at least 1 ms) ends it, so a read right after another worker's
   * commit was announced over IPC could still miss it.
   */
  readLatest(): void {
    this.#root.resetReadTxn();
  }

  /** Whether `entry` is what the memory tier answers for `key`: another process may have replaced it since. */
  fromMemory(key: string, entry: CacheEntry): boolean {
    return this.#memory.holds(key, entry);
  }

  /**
   * The entry as LMDB holds it now, bypassing the memory tier and shared entries (and
   * taking the tier's place): for an entry the tier answered that lookup would not serve
   * as a fresh HIT, since another process may have refilled or removed it meanwhile.
   */
  reread(key: string): CacheEntry | undefined {
    const pending = this.#pending.get(key);
    if (pending !== undefined) return pending;
    if (this.#resetTo !== undefined || this.#removed.has(key)) return undefined;
    this.#memory.forget(key);
    this.#shared.forget(key);
    return this.#load(key);
  }

  /** Reads an entry from LMDB: its head decoded once, its body copied once (not zero-filled). */
  #load(key: string): CacheEntry | undefined {
    // getBinaryFast answers in a buffer reused by the next read: decoded before that.
    const head = this.#entries.getBinaryFast(key);
    if (head === undefined) return undefined;
    const headBytes = head.length;
    // A whole entry (a store not yet migrated) is copied whole: its body is a view of the copy.
    const entry: CacheEntry = isWholeEntry(head) ? decodeWholeEntry(copyOf(head, this.#memory.admits(head.length, 0))) : { meta: decodeMeta(head), body: this.#body(key, headBytes) };
    this.#bound.seen(key, headBytes + entry.body.length);
    // Shared only when the tier does not hold it: offering costs a WeakRef and a finalizer
    // registration (about 20 µs a read at 100 KB, measured for #13), and the tier answers anyway.
    if (!this.#memory.admit(key, entry, headBytes)) this.#shared.offer(key, entry);
    return entry;
  }

  #body(key: string, headBytes: number): Buffer {
    const stored = this.#bodies.getBinaryFast(key);
    return stored === undefined ? EMPTY_BODY : copyOf(stored, this.#memory.admits(stored.length, headBytes));
  }

  /** Whether an entry is stored (or pending) under a key; reads its head only. */
  has(key: string): boolean {
    return this.#storedMeta(key) !== undefined;
  }

  /**
   * Forgets in memory, now, what other processes removed (otherwise done on a timer;
   * removal-log.ts). Asked for right after another worker's commit (a removal it waits on):
   * read from a new snapshot, or the newest removals, and the removed entries, may not show yet.
   */
  tailRemovals(): void {
    this.readLatest();
    this.#removals?.tail();
  }

  /** The memory tier's size, entries and hits, and its bound. */
  get memory(): MemoryTierState {
    const memory = this.#memory;
    return { bytes: memory.bytes, entries: memory.entries, hits: memory.hits, maxBytes: memory.maxBytes };
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
    this.#write([this.#prepare(key, meta, body)], removals);
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
    this.#memory.forget(urlKey);
    const current = this.#storedMeta(urlKey);
    const previous = current !== undefined && isVariantMarker(current) ? current : undefined;
    const list = nextVariants(previous, meta.varyOn, meta.variantId, maxVariants);
    // The marker outlives any one variant: it never expires, and carries no tags (a tag
    // purge removes the variants that have it); the sweep removes it once no variant is left.
    const marker: EntryMeta = { ...meta, tags: [], expiresAt: 0, variantId: undefined, variants: list.ids };
    const evicted = list.evicted.map((id) => variantKey(urlKey, id));
    const puts = [this.#prepare(urlKey, marker, EMPTY_BODY), this.#prepare(key, meta, body)];
    this.#write(puts, evicted);
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
    return value === undefined ? undefined : decodeMeta(value);
  }

  #canWrite(key: string): boolean {
    this.#shared.forget(key);
    this.#memory.forget(key);
    if (this.#health.writable) return true;
    this.#events.writeSkipped();
    return false;
  }

  #prepare(key: string, meta: EntryMeta, body: Buffer): PreparedPut {
    const entry = { meta, body };
    this.#pending.set(key, entry);
    const head = encodeHead(meta);
    const bytes = entryBytes(key, head.length, body.length, meta);
    this.#bound.written(key, bytes);
    return { key, entry, head, bytes, removal: this.#removed.mark(key) };
  }

  /** Forgets a key in memory at issue time of its removal (the tombstone hides it on disk). */
  #forget(key: string): void {
    this.#pending.delete(key);
    this.#shared.forget(key);
    this.#memory.forget(key);
    this.#bound.forget(key);
  }

  /** Inside a write transaction: its size accounting around `work` (store-bound.ts). */
  #counted<T>(work: () => T): () => T {
    return () => {
      this.#bound.beginSync();
      const result = work();
      this.#bound.endSync();
      return result;
    };
  }

  /** Inside a write transaction: removes an entry's head, body and size (its index values stay until an invalidation's `unindex`). */
  #removeSync(key: string): void {
    this.#entries.removeSync(key);
    this.#bodies.removeSync(key);
    this.#bound.dropSync(key);
    this.#removals?.appendSync(key);
  }

  /**
   * Inside a write transaction: evicts what the bound needs, never an entry pending (its
   * put is queued). No tombstone: until the commit the victims are still valid entries, and
   * a transaction that does not commit evicted nothing. A read before the commit may hold
   * a victim in memory again, so `#evicted` forgets them once more after it.
   */
  #fitSync(): string[] {
    const keys = this.#bound.fitSync(
      (key) => this.#pending.has(key),
      (key, meta) => this.variantKeys(key, meta),
    );
    for (const key of keys) this.#forget(key);
    return keys;
  }

  /** After the commit of evictions: forgotten in memory for good, and counted. */
  #evicted(keys: string[], reason: EvictionReason): void {
    if (keys.length === 0) return;
    for (const key of keys) {
      this.#shared.forget(key);
      this.#memory.forget(key);
    }
    this.#events.evicted(reason, keys.length);
  }

  /**
   * One transaction: the puts with their index values and sizes, then the removals, then
   * the evictions that keep the total under the bound (taking their index values with
   * them, store-bound.ts).
   */
  #write(puts: PreparedPut[], removals: string[]): void {
    const marks = removals.map((key) => {
      this.#forget(key);
      return this.#removed.add(key);
    });
    let evicted: string[] = [];
    this.#transaction(
      this.#counted(() => {
        for (const { key, entry, head, bytes } of puts) {
          // Another process's memory tier may hold the replaced entry as fresh (an origin
          // push, a refresh ahead of expiry): logged like a removal, so it forgets it.
          if (this.#unindexReplacedSync(key, entry.meta)) this.#removals?.appendSync(key);
          this.#entries.putSync(key, head);
          if (entry.body.length > 0) this.#bodies.putSync(key, entry.body);
          else this.#bodies.removeSync(key);
          for (const tag of entry.meta.tags) this.#index.putSync(indexKey('tag', tag), key);
          this.#index.putSync(indexKey('url', entry.meta.urlPath), key);
          this.#bound.recordSync(key, bytes);
        }
        for (const key of removals) this.#removeSync(key);
        evicted = this.#fitSync();
      }),
    ).then(
      () => {
        for (const { key, entry, removal } of puts) {
          this.#settle(key, entry);
          // Committed after any removal issued before it: that removal no longer matters.
          this.#removed.clear(key, removal);
        }
        removals.forEach((key, i) => this.#removed.clear(key, marks[i]));
        this.#evicted(evicted, 'bound');
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
  #unindexReplacedSync(key: string, meta: EntryMeta): boolean {
    const stored = this.#entries.getBinaryFast(key);
    if (stored === undefined) return false;
    const was = decodeMeta(stored);
    for (const tag of was.tags) if (!meta.tags.includes(tag)) this.#index.removeSync(indexKey('tag', tag), key);
    if (was.urlPath !== meta.urlPath) this.#index.removeSync(indexKey('url', was.urlPath), key);
    return true;
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
    this.#forget(key);
    const mark = this.#removed.add(key);
    if (!this.#health.writable) return;
    try {
      await this.#transaction(this.#counted(() => this.#removeSync(key)));
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
      await this.#transaction(() => undefined);
      const keys = [...this.#index.getValues(indexed)];
      for (let start = 0; start < keys.length; start += DELETE_CHUNK) {
        const chunk = keys.slice(start, start + DELETE_CHUNK);
        await this.#transaction(
          this.#counted(() => {
            for (const key of chunk) deleted += this.#deleteOne(indexed, key, decide);
          }),
        );
      }
    } catch (err) {
      this.#health.failed('delete-indexed', err);
    }
    return deleted;
  }

  /** Inside a write transaction: the entry's current state (its head, never its body) decides. */
  #deleteOne(indexed: string, key: string, decide: (meta: EntryMeta) => 'delete' | 'keep' | 'unindex'): number {
    const meta = this.#storedMeta(key);
    const decision = meta === undefined ? 'unindex' : decide(meta);
    if (decision === 'keep') return 0;
    this.#index.removeSync(indexed, key);
    if (decision === 'unindex') return 0;
    this.#forget(key);
    this.#removeSync(key);
    return 1;
  }

  /** The metadata stored (or pending) under a key; reads its head only (fill replication compares fills). */
  headOf(key: string): EntryMeta | undefined {
    return this.#storedMeta(key);
  }

  /** Up to `limit` entries an index value names (a tag, a URL path), with their heads; stale index values are skipped. */
  indexed(kind: 'tag' | 'url', value: string, limit: number): Array<{ key: string; meta: EntryMeta }> {
    const out: Array<{ key: string; meta: EntryMeta }> = [];
    for (const key of this.#index.getValues(indexKey(kind, value))) {
      if (out.length === limit) break;
      const meta = this.#storedMeta(key as string);
      if (meta !== undefined) out.push({ key: key as string, meta });
    }
    return out;
  }

  /** Up to `limit` entries' metadata in key order, starting after `afterKey` (for the sweep); reads heads only. */
  scan(afterKey: string | undefined, limit: number): Array<{ key: string; meta: EntryMeta }> {
    const out: Array<{ key: string; meta: EntryMeta }> = [];
    for (const { key, value } of this.#entries.getRange({ ...(afterKey === undefined ? {} : { start: afterKey }), limit: limit + 1 })) {
      if (key === afterKey) continue;
      if (out.length === limit) break;
      out.push({ key, meta: decodeMeta(value) });
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
    this.#memory.clear();
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
    await this.#transaction(() => undefined);
    await this.#track(this.#entries.clearAsync());
    await this.#track(this.#bodies.clearAsync());
    await this.#track(this.#index.clearAsync());
    await this.#bound.clear();
    await this.#transaction(
      this.#counted(() => {
        // Recounted rather than zeroed: another process may have stored since the clear.
        this.#bound.recountSync();
        this.#removals?.forgetAllSync();
        this.#meta.putSync(META_INVALIDATIONS_STREAM, created);
        this.#meta.putSync(META_INDEX_FORMAT, INDEX_FORMAT);
        this.#meta.putSync(META_ENTRY_LAYOUT, ENTRY_LAYOUT);
      }),
    );
    if (this.#resetTo === created) this.#resetTo = undefined;
  }

  /** The probe: a pending reset, then a write as large as a typical fill, then tombstoned removals. */
  async #recover(): Promise<void> {
    if (this.#resetTo !== undefined) await this.#clear(this.#resetTo);
    await this.#evictAfterFull();
    await this.#transaction(() => {
      this.#meta.putSync(META_WRITE_PROBE, Buffer.alloc(PROBE_BYTES));
    });
    await this.#transaction(() => {
      this.#meta.removeSync(META_WRITE_PROBE);
    });
    await this.#commitRemovals();
  }

  /**
   * A commit failed, most likely a full map or disk (MDB_MAP_FULL, ENOSPC): the bound drops
   * below what was stored then and the evictions that meet it commit before the probe, so
   * the retried writes find free pages. Throws when even they cannot commit; the probe
   * retries later, and its evictions take the next victims (those of the failed try left
   * the clock; they join it again when read).
   */
  async #evictAfterFull(): Promise<void> {
    const maxBytes = this.#bound.lowerAfterFull();
    this.#events.boundLowered(maxBytes);
    this.#evicted(await this.#transaction(this.#counted(() => this.#fitSync())), 'map-full');
  }

  /** Stored bytes as the bound counts them (store-bound.ts), entries, and the bound in force. */
  get bound(): { bytes: number; entries: number; maxBytes: number } {
    return { ...this.#bound.total, maxBytes: this.#bound.maxBytes };
  }

  /** Commits the removals only tombstones hold so far (a failure leaves them for the next probe). */
  async #commitRemovals(): Promise<void> {
    const removals = this.#removed.snapshot();
    if (removals.length === 0) return;
    await this.#transaction(
      this.#counted(() => {
        for (const key of removals.keys) this.#removeSync(key);
      }),
    );
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
        await this.#transaction(() => {
          for (const { key, meta } of batch) {
            for (const tag of meta.tags) this.#index.putSync(indexKey('tag', tag), key);
            this.#index.putSync(indexKey('url', meta.urlPath), key);
          }
        });
        walked += batch.length;
        after = batch[batch.length - 1]?.key;
      }
      await this.#transaction(() => {
        this.#meta.putSync(META_INDEX_FORMAT, INDEX_FORMAT);
      });
    } catch (err) {
      this.#health.failed('reindex', err);
    }
    return walked;
  }

  /** Whether some entries are still stored whole, in the layout before #13. */
  get layoutOutdated(): boolean {
    return this.#meta.get(META_ENTRY_LAYOUT) !== ENTRY_LAYOUT;
  }

  /**
   * Splits every whole entry (the layout before #13) into its head and body, a batch per
   * transaction with event turns between, then records the layout. Until then whole
   * entries are read as they are. Each entry is read again inside the transaction, so an
   * entry replaced meanwhile (by this process or another) is left as it is. Returns the
   * entries split; never rejects.
   */
  async migrate(): Promise<number> {
    let moved = 0;
    let after: string | undefined;
    try {
      for (;;) {
        if (!this.#health.writable) return moved;
        const keys: string[] = [];
        for (const key of this.#entries.getKeys({ ...(after === undefined ? {} : { start: after }), limit: MIGRATE_BATCH + 1 })) {
          if (key !== after && keys.length < MIGRATE_BATCH) keys.push(key);
        }
        if (keys.length === 0) break;
        moved += await this.#transaction(this.#counted(() => this.#splitSync(keys)));
        after = keys[keys.length - 1];
        await new Promise((resolve) => setImmediate(resolve));
      }
      await this.#transaction(() => {
        this.#meta.putSync(META_ENTRY_LAYOUT, ENTRY_LAYOUT);
      });
    } catch (err) {
      this.#health.failed('migrate', err);
    }
    return moved;
  }

  /** Inside a write transaction: splits the whole entries among `keys`; returns how many. */
  #splitSync(keys: string[]): number {
    let split = 0;
    for (const key of keys) {
      const value = this.#entries.getBinaryFast(key);
      if (value === undefined || !isWholeEntry(value)) continue;
      // Copied: the read buffer is reused by the reads below.
      const { meta, body } = decodeWholeEntry(copyOf(value, false));
      const head = encodeHead(meta);
      this.#entries.putSync(key, head);
      if (body.length > 0) this.#bodies.putSync(key, body);
      this.#bound.recordSync(key, entryBytes(key, head.length, body.length, meta));
      // Readers that hold the whole entry keep it; the next read finds the split one.
      this.#shared.forget(key);
      this.#memory.forget(key);
      split++;
    }
    return split;
  }

  /**
   * Resolves once every write transaction issued so far has committed (they commit in order), so
   * another process reading the same store sees them; rejects when the last of them failed.
   */
  async flushed(): Promise<void> {
    await this.#lastWrite;
  }

  /**
   * Every write transaction goes through here: lmdb-js commits them in the order they were
   * issued, so the last one's promise says when all have committed. `flushed` waited for an
   * empty transaction of its own before, one more commit (and write-lock round trip) on
   * every fill a sibling worker must see.
   */
  #transaction<T>(work: () => T): Promise<T> {
    return this.#track(this.#root.transaction(work));
  }

  #track<T>(write: Promise<T>): Promise<T> {
    this.#lastWrite = write;
    return write;
  }

  /** Resolves once every write issued so far has committed or failed (bounded; for shutdown). */
  async close(): Promise<void> {
    this.#health.stop();
    this.#removals?.stop();
    const bound = <T>(work: Promise<T>): Promise<unknown> =>
      Promise.race([work.catch(() => undefined), new Promise((resolve) => setTimeout(resolve, CLOSE_TIMEOUT_MS).unref())]);
    await bound(this.#transaction(() => undefined));
    await bound(this.#root.close());
  }
}

export type { StoreEvents, StoreWriteOp };
