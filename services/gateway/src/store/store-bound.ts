/**
 * The store's bound (CACHE_MAX_BYTES): what each entry occupies in LMDB, the running total,
 * and the evictions that keep it under the bound. Sizes are persisted per key in a small
 * `sizes` database, written in the same transactions as the entries, so a restart derives
 * the total from that metadata alone (recency starts cold). It decides what to evict; the
 * store (lmdb-store.ts) issues the removals, and `evictSync` runs inside them.
 */
import type { Database, RootDatabase } from 'lmdb';
import { decodeEntry, type EntryMeta } from './cache-entry.js';
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

export type EvictionReason = 'bound' | 'map-full';

/**
 * Bytes an entry occupies: its key and value, its size record, and its index values (a
 * tag or URL index key with the entry key as duplicate value), each with record overhead.
 */
export function entryBytes(key: string, valueBytes: number, meta: EntryMeta): number {
  const keyBytes = Buffer.byteLength(key);
  let bytes = keyBytes + valueBytes + keyBytes + SIZE_VALUE_BYTES + 2 * RECORD_OVERHEAD_BYTES;
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

export class StoreBound {
  readonly #clock = new EvictionClock();
  readonly #entries: Database<Buffer, string>;
  readonly #index: Database<string, string>;
  readonly #sizes: Database<number, string>;
  readonly #meta: Database<unknown, string>;
  readonly configuredMaxBytes: number;
  #maxBytes: number;

  constructor(root: RootDatabase, dbs: { entries: Database<Buffer, string>; index: Database<string, string>; meta: Database<unknown, string> }, maxBytes: number) {
    this.#entries = dbs.entries;
    this.#index = dbs.index;
    this.#meta = dbs.meta;
    this.#sizes = root.openDB<number, string>({ name: 'sizes', encoding: 'msgpack' });
    this.configuredMaxBytes = this.#maxBytes = maxBytes;
  }

  /** The bound in force: the configured one, or lower after the map or disk was full. */
  get maxBytes(): number {
    return this.#maxBytes;
  }

  get bytes(): number {
    return this.#clock.bytes;
  }

  get entries(): number {
    return this.#clock.size;
  }

  /** The hit path: one Map lookup. */
  touch(key: string): void {
    this.#clock.touch(key);
  }

  /** At issue time: an entry about to be written with this many bytes. */
  written(key: string, bytes: number): void {
    this.#clock.set(key, bytes);
  }

  /** At issue time: an entry about to be removed. */
  forget(key: string): void {
    this.#clock.delete(key);
  }

  /**
   * The entries to evict so the store fits its bound, never the ones being written. A
   * variant marker takes its variants with it: without the marker they are never served.
   */
  victims(keep: readonly string[], variantsOf: (key: string) => string[]): string[] {
    const victims = this.#clock.evict(this.#maxBytes, keep);
    for (let i = 0, n = victims.length; i < n; i++) {
      for (const variant of variantsOf(victims[i] as string)) {
        if (this.#clock.delete(variant) !== undefined) victims.push(variant);
      }
    }
    return victims;
  }

  /**
   * A commit failed for room: hold less than is committed from now on (until restart).
   * Counted again from the size records first, since the failed puts were counted when
   * issued; recency starts cold, as after a restart.
   */
  lowerAfterFull(): number {
    this.load();
    this.#maxBytes = Math.min(this.#maxBytes, Math.floor(this.#clock.bytes * FULL_SHRINK));
    return this.#maxBytes;
  }

  /** Inside a write transaction: records a written entry's size. */
  recordSync(key: string, bytes: number): void {
    this.#sizes.putSync(key, bytes);
  }

  /** Inside a write transaction: drops a removed entry's size. */
  dropSync(key: string): void {
    this.#sizes.removeSync(key);
  }

  /**
   * Inside a write transaction: removes an evicted entry with its index values and size,
   * so no tag or URL invalidation finds it later. Reads its metadata for the index keys.
   */
  evictSync(key: string): void {
    const value = this.#entries.getBinaryFast(key);
    if (value !== undefined) {
      const meta = decodeEntry(value).meta;
      for (const tag of meta.tags) this.#index.removeSync(indexKey('tag', tag), key);
      this.#index.removeSync(indexKey('url', meta.urlPath), key);
      this.#entries.removeSync(key);
    }
    this.#sizes.removeSync(key);
  }

  async clear(): Promise<void> {
    this.#clock.clear();
    await this.#sizes.clearAsync();
  }

  /**
   * The total and the clock from the size records (metadata only). A store written before
   * sizes were recorded gets them once, from a scan of its entries.
   */
  load(): void {
    this.#clock.clear();
    if (this.#meta.get(META_SIZES_RECORDED) !== 1) this.#backfill();
    for (const { key, value } of this.#sizes.getRange()) this.#clock.set(key, value);
  }

  #backfill(): void {
    this.#entries.transactionSync(() => {
      for (const { key, value } of this.#entries.getRange()) {
        this.#sizes.putSync(key, entryBytes(key, value.length, decodeEntry(value).meta));
      }
      this.#meta.putSync(META_SIZES_RECORDED, 1);
    });
  }
}
