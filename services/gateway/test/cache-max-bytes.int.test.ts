/**
 * CACHE_MAX_BYTES through a real gateway (#13): the bound and the stored bytes in /metrics,
 * evictions counted by reason, and a full disk (a real tmpfs, mounted by the test) that
 * makes the store evict and store again instead of failing fills or crashing.
 */
import { join } from 'node:path';
import { eventually, tempDir, type TempDir } from '@cairn/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outcome, startGatewayHarness, type GatewayHarness } from './gateway-harness.js';
import { canMountTmpfs, mountTmpfs, unmount } from './tmpfs.js';

const metricValue = async (h: GatewayHarness, name: string, labels = ''): Promise<number> => {
  const line = (await h.metric(name)).split('\n').find((l) => l.startsWith(`${name}${labels} `));
  return line === undefined ? NaN : Number(line.split(' ')[1]);
};

describe('CACHE_MAX_BYTES (#13)', () => {
  let h: GatewayHarness;
  const get = (path: string) => fetch(`${h.gateway.url}${path}`);

  beforeAll(async () => {
    h = await startGatewayHarness(() => ({ cacheTagsHeader: 'x-tags' }), { CACHE_MAX_BYTES: '64KB' });
    await h.putRule({ id: 'all', pathPatterns: ['^/.*$'], ttl: '1h' });
    await eventually(async () => expect(await outcome(get('/warm'))).toBe('MISS'));
  });
  afterAll(async () => {
    await h?.close();
  });

  it('keeps stored bytes under the bound while fills go on, the hit entry surviving, and says so in /metrics (#13)', async () => {
    for (let i = 0; i < 100; i++) {
      h.origin.route(`/item/${i}`, { body: `${i}:`.padEnd(2048, 'x'), headers: { 'x-tags': 'items' } });
      expect(await outcome(get(`/item/${i}`))).toBe('MISS');
      expect(await outcome(get('/warm'))).toBe('HIT');
    }
    expect(await metricValue(h, 'cairn_gateway_store_max_bytes')).toBe(64 * 1024);
    const bytes = await metricValue(h, 'cairn_gateway_store_bytes');
    expect(bytes).toBeGreaterThan(32 * 1024);
    expect(bytes).toBeLessThanOrEqual(64 * 1024);
    expect(await metricValue(h, 'cairn_gateway_store_entries')).toBeLessThan(40);
    expect(await metricValue(h, 'cairn_gateway_evictions_total', '{reason="bound"}')).toBeGreaterThan(60);
    expect(await metricValue(h, 'cairn_gateway_evictions_total', '{reason="map-full"}')).toBe(0);
    const ready = (await (await fetch(`${h.gateway.adminUrl}/ready`)).json()) as { store: { bytes: number; maxBytes: number } };
    expect(ready.store.maxBytes).toBe(64 * 1024);
    expect(ready.store.bytes).toBeLessThanOrEqual(64 * 1024);
    expect(await outcome(get('/item/0'))).toBe('MISS');
    expect(await outcome(get('/item/99'))).toBe('HIT');
  });
});

const DISK_BYTES = 6 * 1024 * 1024;
const BODY_BYTES = 200 * 1024;

describe.skipIf(!canMountTmpfs)(`a disk smaller than CACHE_MAX_BYTES (#13)${canMountTmpfs ? '' : ' (skipped: mounting a tmpfs needs root and mount(8), unavailable here)'}`, () => {
  let dir: TempDir;
  let disk: string;
  let h: GatewayHarness;
  const get = (path: string) => fetch(`${h.gateway.url}${path}`);

  beforeAll(async () => {
    dir = await tempDir('cairn-map-full-');
    disk = join(dir.path, 'disk');
    expect(mountTmpfs(disk, DISK_BYTES)).toBe(true);
    h = await startGatewayHarness(() => ({}), { DATA_DIR: join(disk, 'data'), CACHE_MAX_BYTES: '1GB', SWEEP_INTERVAL_MS: '200' });
    await h.putRule({ id: 'all', pathPatterns: ['^/.*$'], ttl: '1h' });
    await eventually(async () => expect(await outcome(get('/warm'))).toBe('MISS'));
  });
  afterAll(async () => {
    await h?.close();
    unmount(disk);
    await dir?.remove();
  });

  it('answers every fill, evicts when the disk is full instead of failing, and stores again (#13)', async () => {
    // Four times what the disk holds: every one answered in full, whether stored or not.
    const fills = Math.ceil((4 * DISK_BYTES) / BODY_BYTES);
    for (let i = 0; i < fills; i++) {
      h.origin.route(`/big/${i}`, { body: `${i}:`.padEnd(BODY_BYTES, 'x') });
      const response = await get(`/big/${i}`);
      expect([response.status, (await response.text()).length]).toEqual([200, BODY_BYTES]);
      // Paced like traffic, so the recovery probe (500 ms at first) runs meanwhile.
      if (i % 10 === 9) await new Promise((resolve) => setTimeout(resolve, 300));
    }
    await eventually(async () => expect(await metricValue(h, 'cairn_gateway_evictions_total', '{reason="map-full"}')).toBeGreaterThan(0), { timeoutMs: 15_000 });
    expect(await metricValue(h, 'cairn_gateway_store_max_bytes')).toBeLessThan(DISK_BYTES);
    await eventually(async () => expect(await metricValue(h, 'cairn_gateway_store_writable')).toBe(1), { timeoutMs: 15_000 });

    // Each full disk lowers the bound again, so the store comes to fit what the disk
    // leaves it: fills are stored and hit again.
    let n = 0;
    await eventually(
      async () => {
        const path = `/after/${n++}`;
        h.origin.route(path, { body: `${n}:`.padEnd(BODY_BYTES, 'y') });
        await (await get(path)).arrayBuffer();
        expect(await outcome(get(path))).toBe('HIT');
      },
      { timeoutMs: 20_000, intervalMs: 200 },
    );
    expect(await metricValue(h, 'cairn_gateway_store_bytes')).toBeLessThanOrEqual(await metricValue(h, 'cairn_gateway_store_max_bytes'));
  }, 90_000);
});
