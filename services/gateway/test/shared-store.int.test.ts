/**
 * Several processes on one store (WORKERS, #13): this process and a forked one open the
 * same LMDB directory. A commit by one is read by the other's next read, an entry one
 * holds in its memory tier is re-read from LMDB on request after the other replaced it
 * and forgotten soon after the other removed it, and both writing under a small bound keep the one total, kept in LMDB, under it.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { eventually, tempDir, type TempDir } from '@cairn/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { entryMeta } from './entry-meta.js';
import { LmdbStore } from '../src/store/lmdb-store.js';
import type { StoreReply, StoreRequest } from './store-process.js';

const MAX_BYTES = 200 * 1024;
const SCRIPT = fileURLToPath(new URL('./store-process.ts', import.meta.url));
const REPLY_TIMEOUT_MS = 30_000;

interface Other {
  child: ChildProcess;
  ask(request: StoreRequest): Promise<StoreReply & { ok: true }>;
}

/** Forks the other process and waits for it to open the store. */
async function startOther(path: string): Promise<Other> {
  const child = fork(SCRIPT, [path, String(MAX_BYTES)], { execArgv: ['--import', 'tsx', '--conditions=source'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const next = () =>
    new Promise<StoreReply & { ok: true }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the other store process did not answer')), REPLY_TIMEOUT_MS);
      const done = (reply: StoreReply) => {
        clearTimeout(timer);
        child.off('exit', exited);
        if (reply.ok) resolve(reply);
        else reject(new Error(`the other store process failed: ${reply.error}`));
      };
      const exited = (code: number | null) => {
        clearTimeout(timer);
        child.off('message', done);
        reject(new Error(`the other store process exited (${code})`));
      };
      child.once('message', done);
      child.once('exit', exited);
    });
  await next();
  return {
    child,
    ask(request) {
      const reply = next();
      child.send(request);
      return reply;
    },
  };
}

describe('a store shared by two processes (#13)', () => {
  let dir: TempDir;
  let path: string;
  let store: LmdbStore;
  let other: Other;

  beforeEach(async () => {
    dir = await tempDir('cairn-shared-store-');
    path = join(dir.path, 'data');
    store = new LmdbStore(path, { maxBytes: MAX_BYTES, memoryBytes: 1024 * 1024 });
    other = await startOther(path);
  });
  afterEach(async () => {
    if (other.child.exitCode === null) {
      await other.ask({ op: 'close' }).catch(() => undefined);
      if (other.child.exitCode === null && other.child.pid !== undefined) process.kill(other.child.pid);
    }
    await store.close();
    await dir.remove();
  });

  // Each read after the other process committed first ends this process's read snapshot, as
  // the gateway does once a commit is announced to it (lmdb-js ends one only on a timer).
  it("reads the other process's commit once it has ended its read snapshot", async () => {
    await other.ask({ op: 'put', key: 'page:/theirs', body: 'theirs' });
    store.readLatest();
    expect(store.get('page:/theirs')?.body.toString()).toBe('theirs');

    store.put('page:/ours', entryMeta('page:/ours'), Buffer.from('ours'));
    await store.flushed();
    expect((await other.ask({ op: 'get', key: 'page:/ours' })).body).toBe('ours');
  });

  it('re-reads from LMDB an entry its memory tier holds once the other process replaced it', async () => {
    await other.ask({ op: 'put', key: 'page:/a', body: 'v1' });
    store.readLatest();
    const first = store.get('page:/a');
    expect(store.get('page:/a')).toBe(first);
    expect(store.fromMemory('page:/a', first!)).toBe(true);

    await other.ask({ op: 'put', key: 'page:/a', body: 'v2' });
    store.readLatest();
    // The tier still answers with what this process read: lookup re-reads before refusing it.
    expect(store.get('page:/a')?.body.toString()).toBe('v1');
    expect(store.reread('page:/a')?.body.toString()).toBe('v2');
    expect(store.get('page:/a')?.body.toString()).toBe('v2');
  });

  it('forgets an entry its memory tier holds soon after the other process removed it', async () => {
    await other.ask({ op: 'put', key: 'page:/gone', body: 'v1' });
    store.readLatest();
    const held = store.get('page:/gone');
    expect(store.fromMemory('page:/gone', held!)).toBe(true);

    await other.ask({ op: 'remove', key: 'page:/gone' });
    await eventually(() => expect(store.get('page:/gone')).toBeUndefined(), { timeoutMs: 2000 });
  });

  it('keeps one total under the bound while both processes write ten times more than fits', async () => {
    const ours = (async () => {
      const body = Buffer.alloc(2 * 1024, 'a');
      for (let i = 0; i < 500; i++) {
        store.put(`page:/ours/${i}`, entryMeta(`page:/ours/${i}`), body);
        if (i % 10 === 9) await store.flushed();
      }
      await store.flushed();
    })();
    await Promise.all([ours, other.ask({ op: 'burst', prefix: 'page:/theirs/', count: 500, bodyBytes: 2 * 1024, every: 10 })]);

    const theirs = await other.ask({ op: 'bound' });
    store.readLatest();
    expect(store.bound.bytes).toBeLessThanOrEqual(MAX_BYTES);
    expect(store.bound.entries).toBeGreaterThan(40);
    // One total, the same for both, and it counts exactly the entries LMDB holds.
    expect(theirs.bound).toEqual(store.bound);
    expect(store.bound.entries).toBe(store.entryCount);
    expect(theirs.entryCount).toBe(store.entryCount);
  });

  it("evicts the other process's entries once its own are gone, skipping uncounted those removed already", async () => {
    for (let i = 0; i < 60; i++) store.put(`page:/mine/${i}`, entryMeta(`page:/mine/${i}`), Buffer.alloc(2 * 1024));
    await store.flushed();
    // The other process stores our keys again (they join its clock), then fills the store
    // past room, evicting them: our clock names only keys it no longer finds.
    await other.ask({ op: 'burst', prefix: 'page:/mine/', count: 60, bodyBytes: 10, every: 60 });
    await other.ask({ op: 'burst', prefix: 'page:/theirs/', count: 200, bodyBytes: 2 * 1024, every: 10 });
    store.put('page:/last', entryMeta('page:/last'), Buffer.alloc(2 * 1024));
    await store.flushed();
    expect(store.bound.bytes).toBeLessThanOrEqual(MAX_BYTES);
    expect(store.bound.entries).toBe(store.entryCount);
  });
});
