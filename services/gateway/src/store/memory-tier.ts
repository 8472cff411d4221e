/**
 * The memory tier (MEMORY_CACHE_BYTES, #13): hot entries, head and body, held in memory in
 * front of LMDB, so a hit on them neither reads LMDB nor decodes metadata nor copies a
 * body. The same entry object is returned on every hit, so the flow may memoize what it
 * derives from one. Bounded by bytes, CLOCK for recency (eviction-clock.ts). It never
 * decides validity: lookup judges freshness and the invalidation map from `entry.meta` on
 * every hit, as for an entry read from LMDB, so it serves nothing the store would refuse.
 * The store forgets a key here wherever it forgets it in SharedEntries: on every put,
 * replacement, removal, eviction, index deletion and reset.
 */
import type { CacheEntry } from './cache-entry.js';
import { EvictionClock } from './eviction-clock.js';

/**
 * An entry larger than this share of the tier is not admitted: a few of them would push
 * out the many small hot ones. Large bodies are still shared between concurrent readers
 * (shared-entries.ts).
 */
const ADMIT_SHARE = 1 / 64;
/** Per entry beyond its head and body: the entry, slot and Map records, the key. */
const ENTRY_OVERHEAD_BYTES = 256;

export class MemoryTier {
  readonly #clock = new EvictionClock<CacheEntry>();
  readonly maxBytes: number;
  readonly #admitBytes: number;
  /** Hits answered from memory since start (read by the metrics at scrape time). */
  hits = 0;

  constructor(maxBytes: number) {
    this.maxBytes = maxBytes;
    this.#admitBytes = Math.floor(maxBytes * ADMIT_SHARE);
  }

  get bytes(): number {
    return this.#clock.bytes;
  }

  get entries(): number {
    return this.#clock.size;
  }

  /** The hit path: one Map lookup (none while the tier is off or empty). */
  get(key: string): CacheEntry | undefined {
    if (this.#clock.size === 0) return undefined;
    const entry = this.#clock.get(key);
    if (entry !== undefined) this.hits++;
    return entry;
  }

  /** Whether `entry` is the one the tier holds for `key` (lookup re-reads such an entry before refusing it). */
  holds(key: string, entry: CacheEntry): boolean {
    return this.#clock.size !== 0 && this.#clock.get(key) === entry;
  }

  /** Whether an entry of this size would be admitted (its body then gets memory of its own). */
  admits(bodyBytes: number, headBytes: number): boolean {
    return bodyBytes + headBytes + ENTRY_OVERHEAD_BYTES <= this.#admitBytes;
  }

  /**
   * Holds an entry just read from LMDB; `headBytes` is its stored metadata's size. Too
   * large an entry is not admitted (false); room is made by evicting the least recently hit.
   */
  admit(key: string, entry: CacheEntry, headBytes: number): boolean {
    const bytes = entry.body.length + headBytes + key.length + ENTRY_OVERHEAD_BYTES;
    if (bytes > this.#admitBytes) return false;
    this.#clock.set(key, bytes, entry);
    if (this.#clock.bytes > this.maxBytes) this.#clock.evict(this.maxBytes, [key]);
    return true;
  }

  forget(key: string): void {
    if (this.#clock.size !== 0) this.#clock.delete(key);
  }

  clear(): void {
    this.#clock.clear();
  }
}
