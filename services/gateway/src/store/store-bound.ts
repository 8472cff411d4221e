/**
 * The store's bound (CACHE_MAX_BYTES): what each entry occupies in LMDB, the total, and the
 * evictions that keep it under the bound. Sizes are persisted per key in a small `sizes`
 * database and the total (bytes and entries) in one `meta` record, both read and written
 * inside the write transactions that change them. LMDB serializes write transactions across
 * every process that opens the store (WORKERS), so the total is exact for all of them and
 * no process's count can drift; a failed commit changes nothing. Victims come from this
 * process's own CLOCK (the keys it wrote, read or loaded): one another process has
 * removed already has no size record left and is skipped, uncounted. It decides what to
 * evict inside the transaction; the store (lmdb-store.ts) does the in-memory bookkeeping.
 */
import type { Database, RootDatabase } from 'lmdb';
import { decodeMeta, isWholeEntry, type EntryMeta } from './cache-entry.js';
import { EvictionClock } from './eviction-clock.js';
import { indexKey } from './index-key.js';

/** LMDB's node header and alignment per record, roughly (8-byte header, even sizes). */
const RECORD_OVERHEAD_BYTES = 16;
/** A size record's value: a msgpack number. */
const SIZE_VALUE_BYTES = 9;
/**
 * After a full map or disk, the bound drops to this share of what was committed then: LMDB
 * needs free pages for the copy-on-write of the next transactions as well as for the data.
 */
const FULL_SHRINK = 0.8;
const META_SIZES_RECORDED = 'sizesRecorded';
/** When this process's clock has no victim left, at most this many stored keys join it. */
const JOIN_BATCH = 1000;
/** `[bytes, entries]` of every size record. */
const META_TOTAL = 'boundTotal';

export type EvictionReason = 'bound' | 'map-full';

/**
 * Bytes an entry occupies: its key with its head (`entries`) and with its body (`bodies`),
 * its size record, and its index values (a tag or URL index key with the entry key as
 * duplicate value), each with record overhead. An entry stored whole (before #13) has
 * `bodyBytes` 0: its body is part of its value.
 */
export function entryBytes(key: string, valueBytes: number, bodyBytes: number, meta: EntryMeta): number {
  const keyBytes = Buffer.byteLength(key);
  let bytes = keyBytes + valueBytes + keyBytes + SIZE_VALUE_BYTES + 2 * RECORD_OVERHEAD_BYTES;
  if (bodyBytes > 0) bytes += keyBytes + bodyBytes + RECORD_OVERHEAD_BYTES;
  for (const tag of meta.tags) bytes += Buffer.byteLength(indexKey('tag', tag)) + keyBytes + RECORD_OVERHEAD_BYTES;
  bytes += Buffer.byteLength(indexKey('url', meta.urlPath)) + keyBytes + RECORD_OVERHEAD_BYTES;
  return bytes;
}

/**
 * lmdb-js 3.5 grows its map when a write needs more (measured: a 2 MiB map held 20 MB), so
 * the map is sized only to spare early remaps: the bound plus as much again for LMDB's
 * free and copy-on-write pages. What limits the store is the bound, or the disk.
 */
export function initialMapSize(maxBytes: number): number | undefined {
  return Number.isFinite(maxBytes) ? Math.min(2 * maxBytes + 64 * 1024 * 1024, 2 ** 40) : undefined;
}

interface Total {
  bytes: number;
  entries: number;
}

export interface BoundDatabases {
  entries: Database<Buffer, string>;
  bodies: Database<Buffer, string>;
  index: Database<string, string>;
  meta: Database<unknown, string>;
}

export class StoreBound {
  /** Recency only: the sizes it holds are this process's view, never the total. */
  readonly #clock = new EvictionClock();
  readonly #dbs: BoundDatabases;
  readonly #sizes: Database<number, string>;
  readonly configuredMaxBytes: number;
  #maxBytes: number;
  /** The total inside the running write transaction, between `beginSync` and `endSync`. */
  #txn: Total | undefined;
  #txnChanged = false;

  constructor(root: RootDatabase, dbs: BoundDatabases, maxBytes: number) {
    this.#dbs = dbs;
    this.#sizes = root.openDB<number, string>({ name: 'sizes', encoding: 'msgpack' });
    this.configuredMaxBytes = this.#maxBytes = maxBytes;
  }

  /** The bound in force: the configured one, or lower after the map or disk was full. */
  get maxBytes(): number {
    return this.#maxBytes;
  }

  /** The committed total, as this process's current read snapshot has it. */
  get total(): Total {
    return this.#readTotal();
  }

  #readTotal(): Total {
    const stored = this.#dbs.meta.get(META_TOTAL) as [number, number] | undefined;
    return stored === undefined ? { bytes: 0, entries: 0 } : { bytes: stored[0], entries: stored[1] };
  }

  /** The hit path: one Map lookup. */
  touch(key: string): void {
    this.#clock.touch(key);
  }

  /** An entry read from LMDB joins the clock (written by another process, or before a restart). */
  seen(key: string, bytes: number): void {
    this.#clock.join(key, bytes);
  }

  /** At issue time: an entry about to be written with this many bytes. */
  written(key: string, bytes: number): void {
    this.#clock.set(key, bytes);
  }

  /** At issue time: an entry about to be removed. */
  forget(key: string): void {
    this.#clock.delete(key);
  }

  /** Starts a write transaction's accounting: the committed total, read inside it. */
  beginSync(): void {
    this.#txn = this.#readTotal();
    this.#txnChanged = false;
  }

  /** Ends it: writes the total back when the transaction changed it. */
  endSync(): void {
    const txn = this.#txn;
    this.#txn = undefined;
    if (txn !== undefined && this.#txnChanged) this.#dbs.meta.putSync(META_TOTAL, [txn.bytes, txn.entries]);
  }

  #total(): Total {
    if (this.#txn === undefined) throw new Error('store bound: size changed outside beginSync/endSync');
    this.#txnChanged = true;
    return this.#txn;
  }

  /** Inside a write transaction: records a written entry's size, in place of any it had. */
  recordSync(key: string, bytes: number): void {
    const total = this.#total();
    const was = this.#sizes.get(key);
    if (was === undefined) total.entries++;
    total.bytes += bytes - (was ?? 0);
    this.#sizes.putSync(key, bytes);
  }

  /** Inside a write transaction: drops a removed entry's size; false when it had none (removed already). */
  dropSync(key: string): boolean {
    const was = this.#sizes.get(key);
    if (was === undefined) return false;
    const total = this.#total();
    total.entries--;
    total.bytes -= was;
    this.#sizes.removeSync(key);
    return true;
  }

  /**
   * Inside a write transaction: the evictions that bring the total under the bound, never
   * of an entry `keep` accepts (one being written). A variant marker takes its variants
   * with it: without the marker they are never served. Returns the keys evicted.
   */
  fitSync(keep: (key: string) => boolean, variantsOf: (key: string, meta: EntryMeta) => string[]): string[] {
    const victims: string[] = [];
    const total = this.#txn;
    if (total === undefined) throw new Error('store bound: fitSync outside beginSync/endSync');
    let joined = false;
    while (total.bytes > this.#maxBytes) {
      let victim = this.#clock.evictOne(keep);
      if (victim === undefined && !joined) {
        // This process's own keys are gone (another process evicted or replaced them): the
        // entries other processes wrote join the clock, in key order, once per transaction.
        joined = true;
        this.#joinStoredSync();
        victim = this.#clock.evictOne(keep);
      }
      if (victim === undefined) break;
      const meta = this.evictSync(victim);
      if (meta === undefined) continue;
      victims.push(victim);
      for (const variant of variantsOf(victim, meta)) {
        this.#clock.delete(variant);
        if (this.evictSync(variant) !== undefined) victims.push(variant);
      }
    }
    return victims;
  }

  #joinStoredSync(): void {
    let joined = 0;
    for (const { key, value } of this.#sizes.getRange()) {
      if (this.#clock.has(key)) continue;
      this.#clock.set(key, value);
      if (++joined === JOIN_BATCH) break;
    }
  }

  /**
   * A commit failed for room: hold less than is committed from now on (until restart).
   * The committed total is exact (the failed transactions changed nothing).
   */
  lowerAfterFull(): number {
    this.#maxBytes = Math.min(this.#maxBytes, Math.floor(this.#readTotal().bytes * FULL_SHRINK));
    return this.#maxBytes;
  }

  /**
   * Inside a write transaction: removes an entry with its body, index values and size,
   * so no tag or URL invalidation finds it later. Reads its head for the index keys.
   * Returns the metadata it had; undefined when it was gone already (removed by another
   * process, say), nothing counted.
   */
  evictSync(key: string): EntryMeta | undefined {
    const value = this.#dbs.entries.getBinaryFast(key);
    let meta: EntryMeta | undefined;
    if (value !== undefined) {
      meta = decodeMeta(value);
      for (const tag of meta.tags) this.#dbs.index.removeSync(indexKey('tag', tag), key);
      this.#dbs.index.removeSync(indexKey('url', meta.urlPath), key);
      this.#dbs.entries.removeSync(key);
      this.#dbs.bodies.removeSync(key);
    }
    return this.dropSync(key) ? meta : undefined;
  }

  /** Drops every size record (with the entries, for a stream reset); the total is recounted after. */
  async clear(): Promise<void> {
    this.#clock.clear();
    await this.#sizes.clearAsync();
  }

  /** Inside a write transaction: the total recounted from the size records (after a clear). */
  recountSync(): void {
    const total = this.#total();
    total.bytes = 0;
    total.entries = 0;
    for (const { value } of this.#sizes.getRange()) {
      total.bytes += value;
      total.entries++;
    }
  }

  /**
   * The clock from the size records (metadata only). A store written before sizes were
   * recorded gets them once, from a scan of its entries, and one written before the
   * total was kept in LMDB gets it, counted from the sizes.
   */
  load(): void {
    this.#clock.clear();
    if (this.#dbs.meta.get(META_SIZES_RECORDED) !== 1 || this.#dbs.meta.get(META_TOTAL) === undefined) {
      this.#dbs.entries.transactionSync(() => this.#backfillSync());
    }
    for (const { key, value } of this.#sizes.getRange()) this.#clock.set(key, value);
  }

  /** Checked again inside the transaction: another process may have done it meanwhile. */
  #backfillSync(): void {
    const { entries, bodies, meta } = this.#dbs;
    if (meta.get(META_SIZES_RECORDED) !== 1) {
      for (const { key, value } of entries.getRange()) {
        const bodyBytes = isWholeEntry(value) ? 0 : (bodies.getBinaryFast(key)?.length ?? 0);
        this.#sizes.putSync(key, entryBytes(key, value.length, bodyBytes, decodeMeta(value)));
      }
      meta.putSync(META_SIZES_RECORDED, 1);
    }
    if (meta.get(META_TOTAL) === undefined) {
      this.beginSync();
      this.recountSync();
      this.endSync();
    }
  }
}
