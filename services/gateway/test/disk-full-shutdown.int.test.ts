/**
 * SIGTERM ends a gateway process whose disk is full, within a bound (#9): before, a failed
 * commit crashed it, or left lmdb-js's flush promise unsettled so close never finished.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeMessage, headers as cairnHeaders, ruleSchema, subjects } from '@cairn/shared';
import { eventually, startNatsServer, startOrigin, tempDir, type NatsServer, type Origin, type TempDir } from '@cairn/testing';
import { connect, headers as natsHeaders } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canMountTmpfs, mountTmpfs, unmount } from './tmpfs.js';

const REPO = fileURLToPath(new URL('../../..', import.meta.url));
const DISK_BYTES = 4 * 1024 * 1024;
const BODY_BYTES = 200 * 1024;
const MAX_FILLS = 2 * Math.ceil(DISK_BYTES / BODY_BYTES);
/** The bound asserted: well under main.ts's 30 s deadline, so a hang cannot pass. */
const EXIT_WITHIN_MS = 15_000;

interface Started {
  child: ChildProcess;
  url: string;
  adminUrl: string;
  exited: Promise<number | null>;
}

/** Starts `main.ts` as operators do, and reads its URLs from the `listening` log line. */
async function startGatewayProcess(env: Record<string, string>): Promise<Started> {
  const child = spawn(join(REPO, 'node_modules/.bin/tsx'), ['--conditions=source', 'services/gateway/src/main.ts'], {
    cwd: REPO,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let buffered = '';
  const listening = new Promise<{ url: string; adminUrl: string }>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      for (const line of buffered.split('\n')) {
        if (!line.includes('"listening"')) continue;
        const parsed = JSON.parse(line) as { url: string; adminUrl: string };
        resolve({ url: parsed.url, adminUrl: parsed.adminUrl });
      }
      buffered = buffered.slice(buffered.lastIndexOf('\n') + 1);
    });
    void exited.then((code) => reject(new Error(`gateway exited with ${code} before listening`)));
  });
  child.stderr?.resume();
  const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('gateway did not listen within 20 s')), 20_000).unref());
  return { child, exited, ...(await Promise.race([listening, timeout])) };
}

describe.skipIf(!canMountTmpfs)(`a gateway process on a full disk${canMountTmpfs ? '' : ' (skipped: mounting a tmpfs needs root and mount(8), unavailable here)'}`, () => {
  let dir: TempDir;
  let disk: string;
  let nats: NatsServer;
  let origin: Origin;
  let gateway: Started | undefined;

  beforeAll(async () => {
    dir = await tempDir('cairn-disk-full-process-');
    disk = join(dir.path, 'disk');
    expect(mountTmpfs(disk, DISK_BYTES)).toBe(true);
    nats = await startNatsServer();
    origin = await startOrigin();
    writeFileSync(join(dir.path, 'cacheConfiguration.test.json'), JSON.stringify({ defaultOrigin: origin.url, defaultCacheKey: { includeQueryParams: 'ALL' } }));
  });
  afterAll(async () => {
    gateway?.child.kill('SIGKILL');
    await origin?.close();
    await nats?.stop();
    unmount(disk);
    await dir?.remove();
  });

  it('exits 0 on SIGTERM within its bound after its store stopped being writable (#9)', async () => {
    gateway = await startGatewayProcess({
      NATS_URL: nats.url,
      HOST: '127.0.0.1',
      PORT: '0',
      ADMIN_PORT: '0',
      ENVIRONMENT: 'test',
      CONFIG_DIR: dir.path,
      DATA_DIR: join(disk, 'data'),
      GATEWAY_ID: 'full-disk',
      // One process, whose `listening` line names both URLs (WORKERS > 1 is workers.int.test.ts's).
      WORKERS: '1',
      LOG_LEVEL: 'info',
      AUTH_REQUIRED: 'false',
    });
    const nc = await connect({ servers: nats.url });
    const h = natsHeaders();
    h.set(cairnHeaders.natsOp, 'upsert');
    await nc.jetstream().publish(subjects.rule('all'), encodeMessage({ op: 'upsert', rule: ruleSchema.parse({ id: 'all', pathPatterns: ['^/.*$'], ttl: '1h' }) }), { headers: h });
    await nc.close();
    const { url, adminUrl } = gateway;
    await eventually(async () => expect((await fetch(`${url}/warm`)).headers.get('x-cairn-cache')).toBe('MISS'));

    const writable = async () => ((await (await fetch(`${adminUrl}/ready`)).json()) as { store: { writable: boolean } }).store.writable;
    for (let i = 0; i < MAX_FILLS && (await writable()); i++) {
      origin.route(`/big/${i}`, { body: `${i}:`.padEnd(BODY_BYTES, 'x') });
      expect((await fetch(`${url}/big/${i}`).then((r) => r.text())).length).toBe(BODY_BYTES);
    }
    await eventually(async () => expect(await writable()).toBe(false));
    expect((await fetch(`${url}/warm`)).headers.get('x-cairn-cache')).toBe('HIT');

    gateway.child.kill('SIGTERM');
    const code = await Promise.race([gateway.exited, new Promise<string>((resolve) => setTimeout(() => resolve('still running'), EXIT_WITHIN_MS).unref())]);
    expect(code).toBe(0);
  });
});
