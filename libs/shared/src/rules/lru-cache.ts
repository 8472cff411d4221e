/**
 * A bounded least-recently-used map. Entries live in fixed slots linked in recency order
 * (index arrays, not node objects), so a hit moves two links and an insert past the limit
 * reuses the oldest slot. (Evicting a Map's first key instead is O(deleted entries) in V8:
 * its iterator walks the tombstones of earlier deletes.)
 */
export class LruCache<K, V> {
  readonly #slots = new Map<K, number>();
  readonly #keys: Array<K | undefined>;
  readonly #values: Array<V | undefined>;
  /** Toward the least recent (`older`) and the most recent (`newer`); -1 ends the list. */
  readonly #older: Int32Array;
  readonly #newer: Int32Array;
  #newest = -1;
  #oldest = -1;
  #used = 0;

  constructor(limit: number) {
    this.#keys = new Array<K | undefined>(limit).fill(undefined);
    this.#values = new Array<V | undefined>(limit).fill(undefined);
    this.#older = new Int32Array(limit);
    this.#newer = new Int32Array(limit);
  }

  get size(): number {
    return this.#slots.size;
  }

  /** Forgets every entry (a rule change makes every remembered answer suspect). */
  clear(): void {
    if (this.#used === 0) return;
    this.#slots.clear();
    this.#keys.fill(undefined, 0, this.#used);
    this.#values.fill(undefined, 0, this.#used);
    this.#used = 0;
    this.#newest = -1;
    this.#oldest = -1;
  }

  get(key: K): V | undefined {
    const slot = this.#slots.get(key);
    if (slot === undefined) return undefined;
    this.#touch(slot, true);
    return this.#values[slot];
  }

  set(key: K, value: V): void {
    let slot = this.#slots.get(key);
    let linked = true;
    if (slot === undefined) {
      if (this.#used < this.#keys.length) {
        slot = this.#used++;
        linked = false;
      } else {
        slot = this.#oldest;
        this.#slots.delete(this.#keys[slot] as K);
      }
      this.#keys[slot] = key;
      this.#slots.set(key, slot);
    }
    this.#values[slot] = value;
    this.#touch(slot, linked);
  }

  /** Makes a slot the most recent, unlinking it first when it is in the list. */
  #touch(slot: number, linked: boolean): void {
    if (linked) {
      if (slot === this.#newest) return;
      const older = this.#older[slot] as number;
      const newer = this.#newer[slot] as number;
      if (older === -1) this.#oldest = newer;
      else this.#newer[older] = newer;
      // Not the newest, so it has a newer neighbour.
      this.#older[newer] = older;
    }
    this.#older[slot] = this.#newest;
    this.#newer[slot] = -1;
    if (this.#newest !== -1) this.#newer[this.#newest] = slot;
    this.#newest = slot;
    if (this.#oldest === -1) this.#oldest = slot;
  }
}
