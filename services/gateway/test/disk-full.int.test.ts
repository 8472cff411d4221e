/**
 * A gateway whose disk fills up (a real tmpfs of a few MB, mounted by the test): it keeps
 * serving what it holds, answers misses and passes unstored, says so in /ready and
 * /metrics, never crashes, closes, and stores again once space returns (#9).
 */
import { rmSync, statfsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, tempDir, type TempDir } from '@cairn/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outcome, startGatewayHarness, type GatewayHarness } from './gateway-harness.js';
import { canMountTmpfs, mountTmpfs, unmount } from './tmpfs.js';

const DISK_BYTES = 6 * 1024 * 1024;
const BALLAST_BYTES = 2 * 1024 * 1024;
const BODY_BYTES = 200 * 1024;
/** More fills than the disk can hold, so the loop always reaches a full disk. */
const MAX_FILLS = 2 * Math.ceil(DISK_BYTES / BODY_BYTES);

interface StoreReadiness {
  ready: boolean;
  store: { writable: boolean; lastError: string | undefined };
}

describe.skipIf(!canMountTmpfs)(`a full disk${canMountTmpfs ? '' : ' (skipped: mounting a tmpfs needs root and mount(8), unavailable here)'}`, () => {
  let dir: TempDir;
  let disk: string;
  let h: GatewayHarness;
  const get = (path: string) => fetch(`${h.gateway.url}${path}`);
  const ready = async () => {
    const response = await fetch(`${h.gateway.adminUrl}/ready`);
    return { status: response.status, body: (await response.json()) as StoreReadiness };
  };

  beforeAll(async () => {
    dir = await tempDir('cairn-disk-full-');
    disk = join(dir.path, 'disk');
    expect(mountTmpfs(disk, DISK_BYTES)).toBe(true);
    // Space the test frees later, as an operator would.
    writeFileSync(join(disk, 'ballast'), Buffer.alloc(BALLAST_BYTES, 1));
    h = await startGatewayHarness(() => ({}), { DATA_DIR: join(disk, 'data'), SWEEP_INTERVAL_MS: '200' });
    await h.putRule({ id: 'all', pathPatterns: ['^/.*$'], ttl: '1h' });
    await eventually(async () => expect(await outcome(get('/warm'))).toBe('MISS'));
    expect(await outcome(get('/warm'))).toBe('HIT');
  });
  afterAll(async () => {
    await h?.close();
    unmount(disk);
    await dir?.remove();
  });

  it('keeps serving hits, answers misses and passes unstored, and reports it without crashing (#9)', async () => {
    let fills = 0;
    for (; fills < MAX_FILLS && (await ready()).body.store.writable; fills++) {
      h.origin.route(`/big/${fills}`, { body: `${fills}:`.padEnd(BODY_BYTES, 'x') });
      const response = await get(`/big/${fills}`);
      expect(response.status).toBe(200);
      expect((await response.text()).length).toBe(BODY_BYTES);
    }
    await eventually(async () => expect((await ready()).body.store.writable).toBe(false));
    expect(fills).toBeLessThan(MAX_FILLS);

    const status = await ready();
    expect(status.status).toBe(200);
    expect(status.body.ready).toBe(true);
    expect(status.body.store.lastError).toBeDefined();
    expect(await h.metric('cairn_gateway_store_writable')).toMatch(/store_writable 0$/m);
    expect(await h.metric('cairn_gateway_store_write_failures_total')).toMatch(/op="put"} [1-9]/);

    // What it holds is still served; a miss is answered in full, and not stored.
    const warm = await get('/warm');
    expect([warm.status, warm.headers.get('x-cairn-cache'), await warm.text()]).toEqual([200, 'HIT', 'origin:/warm']);
    h.origin.route('/while-full', { body: 'full'.padEnd(BODY_BYTES, 'y') });
    for (let i = 0; i < 3; i++) {
      const miss = await get('/while-full');
      expect([miss.status, miss.headers.get('x-cairn-cache'), (await miss.text()).length]).toEqual([200, 'MISS', BODY_BYTES]);
      // Cache-Status says what happened: not stored, because the store cannot write.
      expect(miss.headers.get('cache-status')).not.toMatch(/stored/);
      expect(miss.headers.get('cache-status')).toMatch(/detail=absent:store-unwritable/);
    }
    expect(h.origin.count('/while-full')).toBe(3);
    expect(await h.metric('cairn_gateway_store_writes_skipped_total')).toMatch(/skipped_total [3-9]/);
    const pass = await fetch(`${h.gateway.url}/form`, { method: 'POST', body: 'a=1' });
    expect([pass.status, pass.headers.get('x-cairn-cache')]).toEqual([200, 'PASS']);
    await pass.arrayBuffer();
  });

  it('hides an entry an unsafe method removed while the disk is full (#9)', async () => {
    expect((await ready()).body.store.writable).toBe(false);
    expect(await outcome(get('/warm'))).toBe('HIT');
    const post = await fetch(`${h.gateway.url}/warm`, { method: 'POST', body: 'x' });
    await post.arrayBuffer();
    expect(await outcome(get('/warm'))).toBe('MISS');
  });

  it('stores again by itself once space returns (#9)', async () => {
    rmSync(join(disk, 'ballast'));
    await eventually(async () => expect((await ready()).body.store.writable).toBe(true), { timeoutMs: 20_000 });
    expect(await h.metric('cairn_gateway_store_writable')).toMatch(/store_writable 1$/m);

    h.origin.route('/after', { body: 'after' });
    expect(await outcome(get('/after'))).toBe('MISS');
    expect(await outcome(get('/after'))).toBe('HIT');
    // The removal kept in memory while full has committed: the entry stays gone.
    expect(await outcome(get('/warm'))).toBe('MISS');
    expect(await outcome(get('/warm'))).toBe('HIT');
  });

  it('closes within its bound on a full disk (#9)', async () => {
    // Since #13 the store lowers its bound after a full disk, so its fills alone no longer
    // fill it again: the operator's disk fills up with something else.
    const { bavail, bsize } = statfsSync(disk);
    writeFileSync(join(disk, 'ballast-again'), Buffer.alloc(Math.max(0, bavail * bsize - 64 * 1024), 1));
    for (let i = 0; i < MAX_FILLS && (await ready()).body.store.writable; i++) {
      h.origin.route(`/refill/${i}`, { body: `${i}:`.padEnd(BODY_BYTES, 'z') });
      await (await get(`/refill/${i}`)).arrayBuffer();
    }
    // The disk is full; the store may still write into the pages its evictions freed (#13).
    expect(statfsSync(disk).bavail * statfsSync(disk).bsize).toBeLessThan(BODY_BYTES);
    await get('/after');
    const held = await outcome(get('/after'));
    await h.gateway.close();
    // Reopened on the same full disk, it starts and serves what it holds.
    h.gateway = await h.start({ DATA_DIR: join(disk, 'data') });
    expect(await outcome(get('/after'))).toBe(held);
  });
});
