/**
 * WORKERS > 1 (README, Workers): the built gateway runs as a real node — a primary and its
 * worker processes on one proxy port and one DATA_DIR — against a real nats-server, a real
 * invalidation service and a counting origin. Requests go over separate connections, which
 * the cluster hands to the workers in turn.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger, encodeMessage, ensureStreams, headers as cairnHeaders, ruleSchema, subjects } from '@cairn/shared';
import { loadInvalidationConfig, startInvalidationService, type InvalidationService } from '@cairn/invalidation';
import { eventually, freePorts, startNatsServer, startOrigin, tempDir, processAlive, type NatsServer, type Origin, type TempDir } from '@cairn/testing';
import { connect, headers as natsHeaders, type NatsConnection } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const MAIN = join(REPO_ROOT, 'services/gateway/dist/main.js');
const GATEWAY_ID = 'node-a';

interface Answer {
  status: number;
  body: string;
  cache: string | undefined;
  cacheStatus: string | undefined;
}

/** One request on its own connection (no keep-alive pool), so the cluster may hand it to any worker. */
function post(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'POST', agent: false, headers: { connection: 'close', 'content-length': '0' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

function get(url: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { agent: false, headers: { connection: 'close' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          body: Buffer.concat(chunks).toString(),
          cache: res.headers[cairnHeaders.cache] as string | undefined,
          cacheStatus: res.headers['cache-status'] as string | undefined,
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error(`no answer from ${url}`)));
    req.end();
  });
}

interface WorkerReadiness {
  index: number;
  pid: number | undefined;
  ready: boolean;
}

async function ready(adminUrl: string): Promise<{ status: number; workers: WorkerReadiness[] }> {
  const response = await fetch(`${adminUrl}/ready`, { signal: AbortSignal.timeout(2000) });
  const body = (await response.json()) as { workers: WorkerReadiness[] };
  return { status: response.status, workers: body.workers };
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** The PID of the local process whose TCP socket has this port (ss(8)). */
function processOnPort(port: number): number {
  const line = execFileSync('ss', ['-tnpH', 'src', `127.0.0.1:${port}`], { encoding: 'utf8' });
  const pid = /pid=(\d+)/.exec(line)?.[1];
  if (pid === undefined) throw new Error(`no process on port ${port}: ${line}`);
  return Number(pid);
}

describe('a gateway node with WORKERS=2', () => {
  let nats: NatsServer;
  let nc: NatsConnection;
  let origin: Origin;
  let dir: TempDir;
  let invalidation: InvalidationService;
  let primary: ChildProcess;
  let stderr = '';
  let stdout = '';
  let url: string;
  let adminUrl: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    // The node runs the built entry point, as an operator runs it.
    execFileSync('npx', ['tsc', '-b'], { cwd: REPO_ROOT, stdio: 'inherit', timeout: 240_000 });
    dir = await tempDir('cairn-workers-');
    nats = await startNatsServer();
    nc = await connect({ servers: nats.url });
    origin = await startOrigin();
    invalidation = await startInvalidationService(
      loadInvalidationConfig({ NATS_URL: nats.url, AUTH_REQUIRED: 'false', HOST: '127.0.0.1', PORT: '0', ACK_TIMEOUT_MS: '5000' }),
      createLogger('invalidation', process.env.TEST_LOG_LEVEL ?? 'silent'),
    );
    // The rules service owns CACHE_RULES (the invalidation service made its own stream).
    await ensureStreams(await nc.jetstreamManager(), { replicas: 1, invalidationRetentionMs: 24 * 3600_000 }, createLogger('test', 'silent'));
    const h = natsHeaders();
    h.set(cairnHeaders.natsOp, 'upsert');
    await nc.jetstream().publish(subjects.rule('all'), encodeMessage({ op: 'upsert', rule: ruleSchema.parse({ id: 'all', pathPatterns: ['^/.*$'], ttl: '1h' }) }), { headers: h });
    writeFileSync(join(dir.path, 'cacheConfiguration.test.json'), JSON.stringify({ defaultOrigin: origin.url, defaultCacheKey: { includeQueryParams: 'ALL' } }));
    const [port, adminPort] = await freePorts(2);
    url = `http://127.0.0.1:${port}`;
    adminUrl = `http://127.0.0.1:${adminPort}`;
    env = {
      PATH: process.env.PATH ?? '',
      NATS_URL: nats.url,
      AUTH_REQUIRED: 'false',
      HOST: '127.0.0.1',
      PORT: String(port),
      ADMIN_PORT: String(adminPort),
      ENVIRONMENT: 'test',
      CONFIG_DIR: dir.path,
      DATA_DIR: join(dir.path, 'data'),
      GATEWAY_ID,
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
      // Longer than a request's patience below: a miss left waiting for a peer's fill shows.
      FLEET_FILL_WAIT_MS: '30000',
      // No load balancer to tell: SIGTERM closes at once.
      DRAIN_MS: '0',
    };
    primary = spawn(process.execPath, [MAIN], { env: { ...env, WORKERS: '2', LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] });
    primary.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    primary.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await eventually(async () => expect((await ready(adminUrl)).status).toBe(200), { timeoutMs: 30_000, intervalMs: 100 }).catch((err: unknown) => {
      throw new Error(`the node did not become ready: ${String(err)}\n${stdout.slice(-2000)}\n${stderr}`);
    });
  }, 300_000);

  afterAll(async () => {
    if (primary !== undefined && primary.exitCode === null) {
      primary.kill('SIGKILL');
      await exited(primary);
    }
    await invalidation?.close();
    await nc?.close();
    await origin?.close();
    await nats?.stop();
    await dir?.remove();
  });

  const restartsTotal = async (): Promise<number> => {
    const text = await (await fetch(`${adminUrl}/metrics`)).text();
    return Number(text.split('\n').find((line) => line.startsWith('cairn_gateway_worker_restarts_total '))?.split(' ')[1]);
  };

  it('logs one `listening` line naming both URLs, from the primary once both workers serve', async () => {
    // The line is written before /ready turns 200, but its pipe may be read after the answer.
    await eventually(() => {
      const listening = stdout
        .split('\n')
        .filter((line) => line.includes('"listening"'))
        .map((line) => JSON.parse(line) as { url: string; adminUrl: string; workers: number });
      expect(listening).toEqual([expect.objectContaining({ url, adminUrl, workers: 2 })]);
    }, { timeoutMs: 2_000, intervalMs: 20 });
  });

  it('lists both workers ready in /ready', async () => {
    const { status, workers } = await ready(adminUrl);
    expect(status).toBe(200);
    expect(workers.map((w) => [w.index, w.ready])).toEqual([
      [0, true],
      [1, true],
    ]);
    expect(new Set(workers.map((w) => w.pid)).size).toBe(2);
  });

  it('makes one origin request for concurrent misses of one key arriving at both workers', async () => {
    // Answered after 1 s: every concurrent request has arrived by then, even on a loaded machine.
    origin.route('/slow', { delayMs: 1000, headers: { 'cache-control': 'max-age=60' }, body: 'slow answer' });
    const answers = await Promise.all(Array.from({ length: 16 }, () => get(`${url}/slow`)));
    expect(answers.map((a) => a.status)).toEqual(Array(16).fill(200));
    expect(answers.every((a) => a.body === 'slow answer')).toBe(true);
    expect(origin.count('/slow')).toBe(1);
    // Both workers waited: the one that did not fill answered from the store, marked collapsed.
    expect(answers.filter((a) => a.cacheStatus?.includes('collapsed')).length).toBeGreaterThanOrEqual(8);
  });

  it('answers HIT on either worker as soon as a MISS has been answered', async () => {
    // Enough rounds to land in the window between the answer and its commit (the sibling
    // then waits on the lease; its read must see the commit though lmdb-js kept a snapshot).
    for (let i = 0; i < 30; i++) {
      origin.route(`/then-hit/${i}`, { headers: { 'cache-control': 'max-age=60' }, body: `then hit ${i}` });
      expect((await get(`${url}/then-hit/${i}`)).cache).toBe('MISS');
      // At once, on separate connections (both workers).
      const answers = await Promise.all(Array.from({ length: 4 }, () => get(`${url}/then-hit/${i}`)));
      expect(answers.map((a) => a.cache)).toEqual(Array(4).fill('HIT'));
    }
  });

  it('refreshes a stale entry once per node under stale-while-revalidate, whichever workers serve it STALE', async () => {
    const h = natsHeaders();
    h.set(cairnHeaders.natsOp, 'upsert');
    const ack = await nc.jetstream().publish(subjects.rule('swr'), encodeMessage({ op: 'upsert', rule: ruleSchema.parse({ id: 'swr', pathPatterns: ['^/swr/.*$'], ttl: 'origin_expires' }) }), { headers: h });
    await eventually(async () => {
      const body = (await (await fetch(`${adminUrl}/ready`)).json()) as { rules?: { revision?: number } };
      expect(body.rules?.revision ?? 0).toBeGreaterThanOrEqual(ack.seq);
    });
    let version = 1;
    // max-age=3: the 300 ms at the origin and Date's whole seconds leave it fresh 1.7 s at least, for the HITs below.
    origin.route('/swr/page', { delayMs: 300, headers: { 'cache-control': 'max-age=3, stale-while-revalidate=60' }, body: () => `swr v${version}` });
    await get(`${url}/swr/page`);
    await eventually(async () => {
      const answers = await Promise.all(Array.from({ length: 6 }, () => get(`${url}/swr/page`)));
      expect(answers.map((a) => a.cache)).toEqual(Array(6).fill('HIT'));
    });
    version = 2;
    await new Promise((resolve) => setTimeout(resolve, 3200));
    const stale = await Promise.all(Array.from({ length: 8 }, () => get(`${url}/swr/page`)));
    expect(stale.map((a) => a.cache)).toEqual(Array(8).fill('STALE'));
    await eventually(async () => expect((await get(`${url}/swr/page`)).body).toBe('swr v2'));
    // The fill, then one refresh for the node.
    expect(origin.count('/swr/page')).toBe(2);
  });

  it('answers concurrent misses on both workers with the one failed fill\'s error, asking the origin once', async () => {
    origin.route('/broken', { handle: (_request, response) => void setTimeout(() => response.socket?.destroy(), 1000) });
    const answers = await Promise.all(Array.from({ length: 16 }, () => get(`${url}/broken`)));
    expect(answers.map((a) => a.status)).toEqual(Array(16).fill(502));
    expect(origin.count('/broken')).toBe(1);
  });

  it('counts collapsed answers in /metrics summed over the workers', async () => {
    const text = await (await fetch(`${adminUrl}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith('cairn_gateway_collapsed_total'));
    expect(Number(line?.split(' ')[1])).toBeGreaterThanOrEqual(8);
    expect(await restartsTotal()).toBe(0);
  });

  it("heartbeats the node's answer counts over both workers, as its /metrics sums them", async () => {
    await get(`${url}/counted`);
    await eventually(async () => expect((await get(`${url}/counted`)).cache).toBe('HIT'));
    const text = await (await fetch(`${adminUrl}/metrics`)).text();
    const sum = (outcome: string) =>
      text
        .split('\n')
        .filter((line) => line.startsWith('cairn_gateway_requests_total{') && line.includes(`outcome="${outcome}"`))
        .reduce((total, line) => total + Number(line.split(' ').at(-1)), 0);
    const expected = { hit: sum('HIT'), stale: sum('STALE'), miss: sum('MISS') };
    expect(expected.hit).toBeGreaterThan(0);
    await eventually(async () => {
      const { gateways } = (await (await fetch(`${invalidation.url}/gateways`)).json()) as { gateways: { gatewayId: string; lookups?: unknown }[] };
      expect(gateways.find((g) => g.gatewayId === GATEWAY_ID)?.lookups).toEqual(expected);
    }, { timeoutMs: 5_000, intervalMs: 100 });
  });

  it('acknowledges a REST invalidation only once every worker applied it', async () => {
    let version = 1;
    // 1 s at the origin: the 10 requests below all arrive during the refill, even on a loaded machine.
    origin.route('/page', { delayMs: 1000, headers: { 'cache-control': 'max-age=60' }, body: () => `page v${version}` });
    await get(`${url}/page`);
    await eventually(async () => {
      const answers = await Promise.all(Array.from({ length: 6 }, () => get(`${url}/page`)));
      expect(answers.map((a) => a.cache)).toEqual(Array(6).fill('HIT'));
    });
    version = 2;
    const response = await fetch(`${invalidation.url}/cache/invalidate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ type: 'url', url: '/page' }) });
    const report = (await response.json()) as { acknowledgedBy: string[]; pending: string[]; deleted: number };
    // One ack for the node; the entry deleted once (by the worker with the store duties).
    expect(report).toMatchObject({ acknowledgedBy: [GATEWAY_ID], pending: [], deleted: 1 });
    // Arriving during the refill, on both workers: none serves the invalidated entry.
    const answers = await Promise.all(Array.from({ length: 10 }, () => get(`${url}/page`)));
    expect(answers.map((a) => a.cache)).toEqual(Array(10).fill('MISS'));
    expect(answers.every((a) => a.body === 'page v2')).toBe(true);
  });

  it('answers no worker from memory with what a successful POST through another removed', async () => {
    let version = 1;
    origin.route('/doc', { headers: { 'cache-control': 'max-age=60' }, body: () => `doc v${version}` });
    await get(`${url}/doc`);
    // Both workers hold it in memory: each has answered it as a HIT.
    await eventually(async () => {
      const answers = await Promise.all(Array.from({ length: 6 }, () => get(`${url}/doc`)));
      expect(answers.map((a) => a.cache)).toEqual(Array(6).fill('HIT'));
    });
    version = 2;
    expect(await post(`${url}/doc`)).toBe(200);
    // At once, on both workers: the old answer is gone from memory as from the store.
    const answers = await Promise.all(Array.from({ length: 6 }, () => get(`${url}/doc`)));
    expect(answers.map((a) => a.body)).toEqual(Array(6).fill('doc v2'));
  });

  it('answers no worker from memory with what an origin push stored through another replaced', async () => {
    origin.route('/pushed', { headers: { 'cache-control': 'max-age=60' }, body: 'as fetched' });
    await get(`${url}/pushed`);
    // Both workers hold it in memory: each has answered it as a HIT.
    await eventually(async () => {
      const answers = await Promise.all(Array.from({ length: 6 }, () => get(`${url}/pushed`)));
      expect(answers.map((a) => a.cache)).toEqual(Array(6).fill('HIT'));
    });
    // One worker of the node stores the push (a queue group); the other must not keep the old copy.
    nc.publish(subjects.originPush, encodeMessage({ url: '/pushed', body: 'as pushed' }));
    await eventually(async () => {
      const answers = await Promise.all(Array.from({ length: 6 }, () => get(`${url}/pushed`)));
      expect(answers.map((a) => a.body)).toEqual(Array(6).fill('as pushed'));
    });
    expect(origin.count('/pushed')).toBe(1);
  });

  it('never serves an entry a POST through either worker removed right after the MISS that stored it', async () => {
    for (let i = 0; i < 20; i++) {
      let version = 1;
      origin.route(`/changed/${i}`, { headers: { 'cache-control': 'max-age=60' }, body: () => `changed ${i} v${version}` });
      expect((await get(`${url}/changed/${i}`)).cache).toBe('MISS');
      // At once, on a new connection: the fill's entry may not have committed yet (its answer
      // does not wait for that), and the removal must not commit before it.
      version = 2;
      expect(await post(`${url}/changed/${i}`)).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 20));
      const answers = await Promise.all(Array.from({ length: 4 }, () => get(`${url}/changed/${i}`)));
      expect(answers.map((a) => a.body)).toEqual(Array(4).fill(`changed ${i} v2`));
    }
  });

  it('answers misses on both workers from a peer node\'s fill, asking the origin once for the fleet', async () => {
    const [peerPort, peerAdminPort] = await freePorts(2);
    const peerUrl = `http://127.0.0.1:${peerPort}`;
    const peerEnv = { ...env, GATEWAY_ID: 'node-b', PORT: String(peerPort), ADMIN_PORT: String(peerAdminPort), DATA_DIR: join(dir.path, 'data-b'), WORKERS: '1' };
    const peerNode = spawn(process.execPath, [MAIN], { env: peerEnv, stdio: 'ignore' });
    try {
      await eventually(async () => expect((await fetch(`http://127.0.0.1:${peerAdminPort}/ready`)).status).toBe(200), { timeoutMs: 30_000, intervalMs: 100 });
      origin.route('/fleet', { delayMs: 600, headers: { 'cache-control': 'max-age=60' }, body: 'one fetch for the fleet' });
      const started = new Promise<void>((resolve) => nc.subscribe(subjects.fillIntents, { max: 1, callback: () => resolve() }));
      await nc.flush();
      const filling = get(`${peerUrl}/fleet`);
      await started;
      // On separate connections, so on both workers, while node-b's fill is under way.
      const answers = await Promise.all(Array.from({ length: 12 }, () => get(`${url}/fleet`)));
      expect((await filling).body).toBe('one fetch for the fleet');
      expect(answers.map((a) => a.body)).toEqual(Array(12).fill('one fetch for the fleet'));
      expect(origin.count('/fleet')).toBe(1);
    } finally {
      peerNode.kill('SIGTERM');
      await exited(peerNode);
    }
  });

  it('restarts a killed worker, unready meanwhile, while the other keeps serving', async () => {
    const restartsBefore = await restartsTotal();
    const before = await ready(adminUrl);
    const victim = before.workers[1]!.pid!;
    const survivor = before.workers[0]!.pid!;
    origin.route('/during', { headers: { 'cache-control': 'max-age=60' }, body: 'still served' });
    process.kill(victim, 'SIGKILL');
    await eventually(async () => expect((await ready(adminUrl)).status).toBe(503), { timeoutMs: 5000, intervalMs: 10 });
    const during = await Promise.all(Array.from({ length: 6 }, () => get(`${url}/during`)));
    expect(during.map((a) => a.status)).toEqual(Array(6).fill(200));
    const after = await eventually(
      async () => {
        const state = await ready(adminUrl);
        expect(state.status).toBe(200);
        return state;
      },
      { timeoutMs: 30_000, intervalMs: 100 },
    );
    expect(after.workers[0]!.pid).toBe(survivor);
    expect(after.workers[1]!.pid).not.toBe(victim);
    expect(await restartsTotal()).toBe(restartsBefore + 1);
  });

  it('ends the fill leases of a worker that dies while filling, so the other worker\'s waiters fill themselves', async () => {
    const restartsBefore = await restartsTotal();
    // The origin holds the first fill, and says which gateway process asked (its socket's port).
    const askedFrom: number[] = [];
    origin.route('/held', {
      handle: (_request, response) => {
        askedFrom.push(response.socket?.remotePort ?? 0);
        setTimeout(() => response.writeHead(200, { 'cache-control': 'max-age=60' }).end('held answer'), askedFrom.length === 1 ? 60_000 : 0).unref();
      },
    });
    const answers = Array.from({ length: 12 }, () => get(`${url}/held`).catch(() => undefined));
    await eventually(() => expect(askedFrom).toHaveLength(1));
    const leader = processOnPort(askedFrom[0]!);
    const { workers } = await ready(adminUrl);
    expect(workers.map((w) => w.pid)).toContain(leader);
    process.kill(leader, 'SIGKILL');
    // Without the lease ending with its leader, they would wait past REQUEST_TIMEOUT_MS (30 s).
    const served = (await Promise.all(answers)).filter((a) => a !== undefined);
    expect(served.length).toBeGreaterThan(0);
    expect(served.every((a) => a.status === 200 && a.body === 'held answer')).toBe(true);
    expect(askedFrom).toHaveLength(2);
    await eventually(async () => expect((await ready(adminUrl)).status).toBe(200), { timeoutMs: 30_000, intervalMs: 100 });
    expect(await restartsTotal()).toBe(restartsBefore + 1);
  });

  it('stops every worker and exits 0 on SIGTERM', async () => {
    const pids = (await ready(adminUrl)).workers.map((w) => w.pid!);
    primary.kill('SIGTERM');
    expect(await exited(primary)).toBe(0);
    expect(pids.filter(processAlive)).toEqual([]);
  });

  it('ends its workers at once when the primary is killed -9 during fills, so a restarted node on the same store becomes ready', async () => {
    const [port2, admin2] = await freePorts(2);
    const nodeEnv = { ...env, WORKERS: '2', PORT: String(port2), ADMIN_PORT: String(admin2), DATA_DIR: join(dir.path, 'data-k9') };
    const start = () => spawn(process.execPath, [MAIN], { env: nodeEnv, stdio: 'ignore' });
    const admin = `http://127.0.0.1:${admin2}`;
    let node = start();
    await eventually(async () => expect((await ready(admin)).status).toBe(200), { timeoutMs: 30_000, intervalMs: 100 });
    const pids = (await ready(admin)).workers.map((w) => w.pid!);
    // Fills as fast as 20 clients can make them, so store writes are in flight when the primary dies.
    let next = 0;
    let loading = true;
    const client = async () => {
      while (loading) await get(`http://127.0.0.1:${port2}/k9/${next++}`).catch(() => undefined);
    };
    const fills = Promise.all(Array.from({ length: 20 }, client));
    await eventually(async () => expect(next).toBeGreaterThan(200), { timeoutMs: 10_000, intervalMs: 5 });
    node.kill('SIGKILL');
    loading = false;
    await fills;
    await eventually(async () => expect(pids.filter(processAlive)).toEqual([]), { timeoutMs: 5000, intervalMs: 50 });
    node = start();
    try {
      await eventually(async () => expect((await ready(admin)).status).toBe(200), { timeoutMs: 20_000, intervalMs: 100 });
    } finally {
      node.kill('SIGTERM');
      await exited(node);
    }
  });

  it('stops the node with exit 1 when its workers cannot start, instead of restarting them', async () => {
    // LMDB's data file in DATA_DIR is a directory: no worker can open its store (the
    // primary checks only that DATA_DIR exists).
    const unopenable = join(dir.path, 'unopenable');
    mkdirSync(join(unopenable, 'data.mdb'), { recursive: true });
    const [ownPort, ownAdminPort] = await freePorts(2);
    const child = spawn(process.execPath, [MAIN], { env: { ...env, WORKERS: '2', DATA_DIR: unopenable, PORT: String(ownPort), ADMIN_PORT: String(ownAdminPort) }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    expect(await exited(child)).toBe(1);
    expect(output).toContain('worker failed to start, stopping the node');
  });

  for (const value of ['0', 'x']) {
    it(`refuses WORKERS=${value} at startup with one line naming WORKERS`, async () => {
      const child = spawn(process.execPath, [MAIN], { env: { ...env, WORKERS: value }, stdio: ['ignore', 'ignore', 'pipe'] });
      let output = '';
      child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      expect(await exited(child)).toBe(1);
      const lines = output.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain('WORKERS');
    });
  }
});
