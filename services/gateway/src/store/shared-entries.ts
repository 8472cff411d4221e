/**
 * Large entries read from LMDB, shared by every reader while any of them still holds the
 * body: 300 slow clients of one 5 MB HIT hold one copy, not 300 (issue 9). It holds
 * bodies weakly (their memory, the ArrayBuffer, which socket writes keep alive), never
 * decides validity (lookup does, from the metadata, on every read), and forgets a key
 * the moment it is put or removed, so it can never answer with a replaced entry.
 */
import type { CacheEntry, EntryMeta } from './cache-entry.js';

/** Smaller bodies are copied per read: cheaper than a weak reference, and small. */
export const SHARED_BODY_MIN_BYTES = 64 * 1024;

interface Shared {
  meta: EntryMeta;
  memory: WeakRef<ArrayBuffer>;
  offset: number;
  length: number;
  /** The last entry object handed out, reused while a reader still holds it. */
  entry: WeakRef<CacheEntry>;
}

export class SharedEntries {
  readonly #byKey = new Map<string, Shared>();
  readonly #cleanup = new FinalizationRegistry<{ key: string; shared: Shared }>(({ key, shared }) => {
    if (this.#byKey.get(key) === shared) this.#byKey.delete(key);
  });

  get size(): number {
    return this.#byKey.size;
  }

  get(key: string): CacheEntry | undefined {
    if (this.#byKey.size === 0) return undefined;
    const shared = this.#byKey.get(key);
    if (shared === undefined) return undefined;
    const entry = shared.entry.deref();
    if (entry !== undefined) return entry;
    const memory = shared.memory.deref();
    if (memory === undefined) return undefined;
    const revived: CacheEntry = { meta: shared.meta, body: Buffer.from(memory, shared.offset, shared.length) };
    shared.entry = new WeakRef(revived);
    return revived;
  }

  /** Shares an entry just read from disk when its body is large enough to be worth it. */
  offer(key: string, entry: CacheEntry): void {
    const body = entry.body;
    if (body.length < SHARED_BODY_MIN_BYTES) return;
    const memory = body.buffer as ArrayBuffer;
    const shared: Shared = { meta: entry.meta, memory: new WeakRef(memory), offset: body.byteOffset, length: body.length, entry: new WeakRef(entry) };
    this.#byKey.set(key, shared);
    this.#cleanup.register(memory, { key, shared });
  }

  forget(key: string): void {
    if (this.#byKey.size !== 0) this.#byKey.delete(key);
  }

  clear(): void {
    this.#byKey.clear();
  }
}
