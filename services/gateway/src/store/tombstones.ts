/**
 * Keys removed in memory whose removal has not committed yet (or could not: the store is
 * not writable). While a key has a tombstone its stored entry is hidden, so a successful
 * unsafe method's removal holds on a full disk too. Each tombstone carries a mark, so a
 * commit clears only the tombstone it was issued after, never a newer one.
 */
export interface TombstoneSnapshot {
  keys: string[];
  marks: number[];
  length: number;
}

export class Tombstones {
  readonly #byKey = new Map<string, number>();
  #next = 1;

  get size(): number {
    return this.#byKey.size;
  }

  has(key: string): boolean {
    return this.#byKey.size !== 0 && this.#byKey.has(key);
  }

  add(key: string): number {
    const mark = this.#next++;
    this.#byKey.set(key, mark);
    return mark;
  }

  /** The key's current tombstone, for a write that will land after it. */
  mark(key: string): number | undefined {
    return this.#byKey.size === 0 ? undefined : this.#byKey.get(key);
  }

  clear(key: string, mark: number | undefined): void {
    if (mark !== undefined && this.#byKey.get(key) === mark) this.#byKey.delete(key);
  }

  snapshot(): TombstoneSnapshot {
    const keys = [...this.#byKey.keys()];
    const marks = [...this.#byKey.values()];
    return { keys, marks, length: keys.length };
  }

  clearAll(snapshot: TombstoneSnapshot): void {
    for (let i = 0; i < snapshot.length; i++) this.clear(snapshot.keys[i] as string, snapshot.marks[i]);
  }

  reset(): void {
    this.#byKey.clear();
  }
}
