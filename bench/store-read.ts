/**
 * `npm run bench:store`: what a hot hit costs in the store (#13): `store.get` of one entry
 * and reading its metadata and body, for a 1 KB and a 100 KB body. Compared in one run:
 *  - before, get / before, LMDB read: the layout before #13 read as its store's `get` did
 *    (shared large entries first, else the whole value with getBinary, the metadata and
 *    body decoded from it, offered for sharing), on a raw lmdb database; the LMDB read
 *    forgets the shared entry first;
 *  - after, LMDB read: heads and bodies apart, read from LMDB every time (`reread`: what a
 *    memory-tier miss costs, and every read with the tier off but for shared large bodies);
 *  - after, tier off: `get` with MEMORY_CACHE_BYTES=0 (a 100 KB body is shared from the
 *    last read while its memory lives, issue 9, as it was before #13 too);
 *  - after, tier on: the memory tier answering.
 * Each read runs in its own event turn, as a request's does (lmdb-js renews its read
 * transaction per turn, and shared large bodies last only while a reader holds them): the
 * cost of an empty turn is measured too and subtracted. Interleaved rounds, the fastest of
 * each reported; ratios are of the same run. Every loop is bounded.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { open } from 'lmdb';
import { decodeWholeEntry, encodeWholeEntry, type CacheEntry } from '../services/gateway/src/store/cache-entry.js';
import { LmdbStore } from '../services/gateway/src/store/lmdb-store.js';
import { SharedEntries } from '../services/gateway/src/store/shared-entries.js';
import { entryMeta } from '../services/gateway/test/entry-meta.js';

const READS = Number(process.env.BENCH_READS ?? 20_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const SIZES = [1024, 100 * 1024];
const KEY = 'page:/hot';

const dir = mkdtempSync(join(tmpdir(), 'cairn-bench-store-'));
const meta = entryMeta('/hot', {
  headers: { 'content-type': 'text/html; charset=utf-8', etag: '"abc123"', 'last-modified': new Date().toUTCString(), 'cache-control': 'public, max-age=600', vary: 'accept-encoding' },
  tags: ['news', 'front'],
  expiresAt: Date.now() + 3_600_000,
});

type Read = () => CacheEntry | undefined;

/** One turn per read, as a request has. */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

async function nsPerRead(read: Read): Promise<number> {
  let sink = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < READS; i++) {
    const entry = read();
    if (entry !== undefined) sink += entry.meta.expiresAt + entry.body.length + (entry.body[entry.body.length - 1] ?? 0);
    await turn();
  }
  const ns = Number(process.hrtime.bigint() - start) / READS;
  if (sink === 0 && read !== empty) throw new Error('nothing read');
  return ns;
}
const empty: Read = () => undefined;

async function main(): Promise<void> {
  const rows: string[] = [];
  for (const size of SIZES) {
    const body = Buffer.alloc(size, 'x');
    // before: the whole entry in one value, read as the store before #13 read it.
    const beforeRoot = open({ path: join(dir, `before-${size}`), compression: false });
    const beforeDb = beforeRoot.openDB<Buffer, string>({ name: 'entries', encoding: 'binary' });
    await beforeDb.put(KEY, encodeWholeEntry(meta, body));
    const shared = new SharedEntries();
    const before: Read = () => {
      const held = shared.get(KEY);
      if (held !== undefined) return held;
      const value = beforeDb.getBinary(KEY);
      if (value === undefined) return undefined;
      const entry = decodeWholeEntry(value);
      shared.offer(KEY, entry);
      return entry;
    };
    const off = new LmdbStore(join(dir, `off-${size}`));
    const on = new LmdbStore(join(dir, `on-${size}`), { memoryBytes: 256 * 1024 * 1024 });
    for (const store of [off, on]) {
      store.put(KEY, meta, body);
      await store.flushed();
    }
    const variants: Array<[string, Read]> = [
      ['empty turn', empty],
      ['before, get', before],
      [
        'before, LMDB read',
        () => {
          shared.forget(KEY);
          return before();
        },
      ],
      ['after, LMDB read', () => off.reread(KEY)],
      ['after, tier off', () => off.get(KEY)],
      ['after, tier on', () => on.get(KEY)],
    ];
    const best = new Map<string, number>();
    for (const [, read] of variants) await nsPerRead(read); // warm-up
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, read] of variants) best.set(name, Math.min(best.get(name) ?? Infinity, await nsPerRead(read)));
    }
    const base = best.get('empty turn') as number;
    const cost = (name: string) => Math.max(0, (best.get(name) as number) - base);
    for (const [name] of variants.slice(1)) {
      rows.push(`| ${size / 1024} KB | ${name} | ${cost(name).toFixed(0)} | ${(cost(name) / cost(name.startsWith('after, LMDB') ? 'before, LMDB read' : 'before, get')).toFixed(2)} |`);
    }
    if (on.memory.hits === 0) throw new Error('the memory tier answered nothing');
    await off.close();
    await on.close();
    await beforeRoot.close();
  }
  console.log(`store.get + metadata and body read, ns per read beyond an empty event turn (fastest of ${ROUNDS} rounds of ${READS} reads)\n`);
  console.log('| body | variant | ns/read | vs before (LMDB read vs LMDB read, get vs get) |');
  console.log('|---|---|---|---|');
  for (const row of rows) console.log(row);
}

main()
  .finally(() => rmSync(dir, { recursive: true, force: true }))
  .catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
