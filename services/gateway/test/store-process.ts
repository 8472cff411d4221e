/**
 * A second process on a store (WORKERS, #13): forked by shared-store.int.test.ts, it opens
 * the store at argv[2] with the bound argv[3] and a memory tier, and answers the parent's
 * requests over IPC, one at a time, so each request is its own event turn.
 */
import { LmdbStore } from '../src/store/lmdb-store.js';
import { entryMeta } from './entry-meta.js';

export type StoreRequest =
  | { op: 'put'; key: string; body: string }
  | { op: 'get'; key: string }
  | { op: 'remove'; key: string }
  | { op: 'burst'; prefix: string; count: number; bodyBytes: number; every: number }
  | { op: 'bound' }
  | { op: 'close' };

export type StoreReply = { ok: true; body?: string | null; bound?: { bytes: number; entries: number }; entryCount?: number } | { ok: false; error: string };

const [path, maxBytes] = [process.argv[2] as string, Number(process.argv[3])];
const store = new LmdbStore(path, { maxBytes, memoryBytes: 1024 * 1024 });

async function handle(request: StoreRequest): Promise<StoreReply> {
  switch (request.op) {
    case 'put':
      store.put(request.key, entryMeta(request.key), Buffer.from(request.body));
      await store.flushed();
      return { ok: true };
    case 'remove':
      await store.remove(request.key);
      return { ok: true };
    case 'get':
      // Asked right after the test process's commit: a snapshot from before it may still be open.
      store.readLatest();
      return { ok: true, body: store.get(request.key)?.body.toString() ?? null };
    case 'burst': {
      const body = Buffer.alloc(request.bodyBytes, 'b');
      for (let i = 0; i < request.count; i++) {
        store.put(`${request.prefix}${i}`, entryMeta(`${request.prefix}${i}`), body);
        if (i % request.every === request.every - 1) await store.flushed();
      }
      await store.flushed();
      return { ok: true };
    }
    case 'bound':
      store.readLatest();
      return { ok: true, bound: store.bound, entryCount: store.entryCount };
    case 'close':
      await store.close();
      return { ok: true };
  }
}

process.on('message', (request: StoreRequest) => {
  handle(request).then(
    (reply) => {
      process.send?.(reply);
      if (request.op === 'close') process.disconnect();
    },
    (err: unknown) => process.send?.({ ok: false, error: String(err) }),
  );
});
process.send?.({ ok: true });
