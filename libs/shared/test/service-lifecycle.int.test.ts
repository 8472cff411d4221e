/**
 * The process lifecycle every service shares (run-service.ts; README, Lifecycle), for the
 * built gateway, rules and invalidation services as operators run them
 * (`node services/<name>/dist/main.js`) against a real nats-server: --version and --help,
 * the one-line config error, waiting for NATS, SIGHUP reloads, the SIGTERM drain, and
 * structured lifecycle lines.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { once } from 'node:events';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { createLogger, ensureStreams, hashPassword } from '@cairn/shared';
import { gatewayEnvSchema } from '@cairn/gateway';
import { invalidationEnvSchema } from '@cairn/invalidation';
import { rulesEnvSchema } from '@cairn/rules';
import { eventually, freePorts, processAlive, startNatsServer, startOrigin, tempDir, type NatsServer, type Origin, type TempDir } from '@cairn/testing';
import { connect } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const VERSION = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

type ServiceName = 'gateway' | 'rules' | 'invalidation';

interface Running {
  child: ChildProcess;
  /** Where /health, /ready and /metrics answer (the gateway's admin port). */
  adminUrl: string;
  /** Where a request that needs credentials goes. */
  protectedUrl: string;
  stdout(): string;
  stderr(): string;
  exit: Promise<number | null>;
}

let nats: NatsServer;
let origin: Origin;
let dir: TempDir;
let usersFile: string;

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

async function writeUsers(names: string[]): Promise<void> {
  const users = await Promise.all(names.map(async (username) => ({ username, passwordHash: await hashPassword(`${username}-pw`), roles: ['super_user'] })));
  writeFileSync(usersFile, JSON.stringify({ users }));
}

function logLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Spawns the built service on free ports; `env` overrides the defaults (NATS_URL, auth off). */
async function spawnService(name: ServiceName, env: Record<string, string> = {}, args: string[] = [], options: { detached?: boolean } = {}): Promise<Running> {
  const [port, adminPort] = await freePorts(2);
  const base: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    NATS_URL: nats.url,
    AUTH_REQUIRED: 'false',
    HOST: '127.0.0.1',
    PORT: String(port),
    LOG_LEVEL: 'info',
    DRAIN_MS: '0',
    ...(name === 'gateway'
      ? { ADMIN_PORT: String(adminPort), ENVIRONMENT: 'test', CONFIG_DIR: dir.path, DATA_DIR: join(dir.path, `data-${port}`), WORKERS: '1' }
      : {}),
  };
  const child = spawn(process.execPath, [join(REPO_ROOT, 'services', name, 'dist', 'main.js'), ...args], { env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: options.detached === true });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const servicePort = env.PORT ?? String(port);
  const adminUrl = `http://127.0.0.1:${name === 'gateway' ? (env.ADMIN_PORT ?? String(adminPort)) : servicePort}`;
  const protectedPath = { gateway: '/page', rules: '/rules', invalidation: '/gateways' }[name];
  return { child, adminUrl, protectedUrl: `http://127.0.0.1:${servicePort}${protectedPath}`, stdout: () => stdout, stderr: () => stderr, exit };
}

async function waitReady(service: Running): Promise<void> {
  await eventually(async () => expect((await fetch(`${service.adminUrl}/ready`)).status).toBe(200), { timeoutMs: 20_000, intervalMs: 100 }).catch((err: unknown) => {
    throw new Error(`not ready: ${String(err)}\n${service.stdout().slice(-2000)}\n${service.stderr()}`);
  });
}

async function stopped(service: Running): Promise<void> {
  if (service.child.exitCode === null && service.child.signalCode === null) service.child.kill('SIGKILL');
  await service.exit;
}

const schemas = { gateway: gatewayEnvSchema, rules: rulesEnvSchema, invalidation: invalidationEnvSchema };

beforeAll(async () => {
  // The services run from their built entry points, as operators run them.
  execFileSync('npx', ['tsc', '-b'], { cwd: REPO_ROOT, stdio: 'inherit', timeout: 240_000 });
  dir = await tempDir('cairn-lifecycle-');
  usersFile = join(dir.path, 'users.json');
  nats = await startNatsServer();
  origin = await startOrigin({ '/slow': { delayMs: 1_500, body: 'slow' } });
  const nc = await connect({ servers: nats.url });
  // A gateway waits for both streams; here no rules service may have made CACHE_RULES yet.
  await ensureStreams(await nc.jetstreamManager(), { replicas: 1, invalidationRetentionMs: 24 * 3600_000 }, createLogger('test', 'silent'));
  await nc.close();
  writeFileSync(join(dir.path, 'cacheConfiguration.test.json'), JSON.stringify({ defaultOrigin: origin.url, defaultCacheKey: { includeQueryParams: 'ALL' } }));
}, 300_000);

afterAll(async () => {
  await origin?.close();
  await nats?.stop();
  await dir?.remove();
});

describe.each(['gateway', 'rules', 'invalidation'] as const)('the %s service', (name) => {
  it('prints its version and exits 0 on --version, reading no environment', async () => {
    const service = await spawnService(name, { LOG_LEVEL: 'not-a-level' }, ['--version']);
    expect(await service.exit).toBe(0);
    expect(service.stdout()).toBe(`cairn-${name} ${VERSION}\n`);
  });

  it('lists every variable of its environment schema on --help and exits 0, reading no environment', async () => {
    const service = await spawnService(name, { LOG_LEVEL: 'not-a-level' }, ['--help']);
    expect(await service.exit).toBe(0);
    for (const variable of Object.keys(schemas[name].shape)) expect(service.stdout()).toMatch(new RegExp(`^  ${variable} `, 'm'));
  });

  it('stops with exit 1 and one stderr line naming DRAIN_MS when DRAIN_MS is not a number', async () => {
    const service = await spawnService(name, { DRAIN_MS: 'soon' });
    expect(await service.exit).toBe(1);
    const lines = service.stderr().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('DRAIN_MS');
  });

  it('stops with exit 1 and one stderr line naming USERS_FILE when AUTH_REQUIRED=true and the file is missing', async () => {
    const service = await spawnService(name, { AUTH_REQUIRED: 'true', USERS_FILE: join(dir.path, 'no-such-users.json') });
    expect(await service.exit).toBe(1);
    const lines = service.stderr().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('USERS_FILE');
  });

  it('stops with exit 1 and one stderr line naming LOG_LEVEL_FILE when that file holds no level', async () => {
    const levelFile = join(dir.path, `bad-level-${name}`);
    writeFileSync(levelFile, 'loud\n');
    const service = await spawnService(name, { LOG_LEVEL_FILE: levelFile });
    expect(await service.exit).toBe(1);
    const lines = service.stderr().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('LOG_LEVEL_FILE');
  });

  it('answers /health 200 and /ready 503 while it waits for NATS, says so with the URL, and becomes ready once NATS is up', async () => {
    const [natsPort] = await freePorts(1);
    const url = `nats://127.0.0.1:${natsPort}`;
    const service = await spawnService(name, { NATS_URL: url });
    let late: NatsServer | undefined;
    try {
      await eventually(() => expect(logLines(service.stdout()).some((line) => line.msg === 'waiting for NATS' && line.url === url)).toBe(true), { timeoutMs: 10_000, intervalMs: 100 });
      const health = await fetch(`${service.adminUrl}/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ nats: 'not connected', version: VERSION });
      expect((await fetch(`${service.adminUrl}/ready`)).status).toBe(503);
      late = await startNatsServer({ port: natsPort });
      if (name === 'gateway') {
        const nc = await connect({ servers: late.url });
        await ensureStreams(await nc.jetstreamManager(), { replicas: 1, invalidationRetentionMs: 24 * 3600_000 }, createLogger('test', 'silent'));
        await nc.close();
      }
      await waitReady(service);
      expect(await (await fetch(`${service.adminUrl}/health`)).json()).toMatchObject({ status: 'ok', nats: 'connected' });
    } finally {
      await stopped(service);
      await late?.stop();
    }
  });

  describe('running with access control on and a LOG_LEVEL_FILE', () => {
    let service: Running;
    const levelFile = () => join(dir.path, `level-${name}`);

    beforeAll(async () => {
      await writeUsers(['alice']);
      writeFileSync(levelFile(), 'info\n');
      service = await spawnService(name, { AUTH_REQUIRED: 'true', USERS_FILE: usersFile, LOG_LEVEL_FILE: levelFile() });
      await waitReady(service);
    }, 60_000);

    afterAll(async () => {
      await stopped(service);
    });

    it('keeps serving after SIGHUP and lets in a user added to USERS_FILE, logging one line of what it reloaded', async () => {
      expect((await fetch(service.protectedUrl, { headers: { authorization: basic('bob', 'bob-pw') } })).status).toBe(401);
      await writeUsers(['alice', 'bob']);
      service.child.kill('SIGHUP');
      await eventually(() => expect(logLines(service.stdout()).some((line) => line.msg === 'reloaded' && JSON.stringify(line.reloaded) === '["USERS_FILE","LOG_LEVEL_FILE"]')).toBe(true), { timeoutMs: 5_000, intervalMs: 50 });
      expect((await fetch(service.protectedUrl, { headers: { authorization: basic('bob', 'bob-pw') } })).status).toBe(200);
      expect(service.child.exitCode).toBeNull();
    });

    it('keeps the users in force and logs an error when SIGHUP finds USERS_FILE bad', async () => {
      writeFileSync(usersFile, '{"users": [');
      const before = logLines(service.stdout()).length;
      service.child.kill('SIGHUP');
      await eventually(() => expect(logLines(service.stdout()).slice(before).some((line) => line.msg === 'reloaded' && JSON.stringify(line.failed) === '["USERS_FILE"]')).toBe(true), { timeoutMs: 5_000, intervalMs: 50 });
      expect(logLines(service.stdout()).slice(before).some((line) => line.level === 50 && String(line.msg).includes('USERS_FILE'))).toBe(true);
      expect((await fetch(service.protectedUrl, { headers: { authorization: basic('alice', 'alice-pw') } })).status).toBe(200);
    });

    it('moves to the level LOG_LEVEL_FILE names on SIGHUP', async () => {
      writeFileSync(levelFile(), 'debug\n');
      const before = logLines(service.stdout()).length;
      service.child.kill('SIGHUP');
      await eventually(() => expect(logLines(service.stdout()).slice(before).some((line) => line.msg === 'reloaded' && line.logLevel === 'debug')).toBe(true), { timeoutMs: 5_000, intervalMs: 50 });
    });

    it('says its version in /health and carries cairn_build_info in /metrics', async () => {
      expect(await (await fetch(`${service.adminUrl}/health`)).json()).toMatchObject({ status: 'ok', version: VERSION, nats: 'connected' });
      const metrics = await (await fetch(`${service.adminUrl}/metrics`, { headers: { authorization: basic('alice', 'alice-pw') } })).text();
      expect(metrics).toContain(`cairn_build_info{service="${name}",version="${VERSION}",node="${process.version}"} 1`);
    });

    it('logs every line as JSON with an ISO timestamp, its starting and started lines included', () => {
      const lines = logLines(service.stdout());
      expect(lines.map((line) => line.msg)).toEqual(expect.arrayContaining(['starting', 'listening', 'started']));
      for (const line of lines) expect(String(line.time)).toMatch(ISO_TIME);
      expect(service.stderr()).toBe('');
    });
  });

  it('answers /ready 503 for DRAIN_MS after SIGTERM while it still serves new requests, then exits 0', async () => {
    const service = await spawnService(name, { DRAIN_MS: '3000' });
    await waitReady(service);
    service.child.kill('SIGTERM');
    await eventually(async () => expect((await fetch(`${service.adminUrl}/ready`)).status).toBe(503), { timeoutMs: 2_000, intervalMs: 20 });
    // A new connection during the drain is still served.
    expect((await fetch(`${service.adminUrl}/health`, { headers: { connection: 'close' } })).status).toBe(200);
    expect((await fetch(service.protectedUrl, { headers: { connection: 'close' } })).status).toBe(200);
    expect(await service.exit).toBe(0);
    expect(logLines(service.stdout()).map((line) => line.msg)).toEqual(expect.arrayContaining(['stopping', 'closing', 'stopped']));
  });
});

describe('a gateway', () => {
  it('finishes a slow request in flight with 200 while /ready answers 503 after SIGTERM, then exits 0', async () => {
    const service = await spawnService('gateway', { DRAIN_MS: '500' });
    await waitReady(service);
    const slow = fetch(service.protectedUrl.replace('/page', '/slow'));
    await eventually(() => expect(origin.count('/slow')).toBeGreaterThan(0), { timeoutMs: 5_000, intervalMs: 10 });
    service.child.kill('SIGTERM');
    await eventually(async () => expect((await fetch(`${service.adminUrl}/ready`)).status).toBe(503), { timeoutMs: 2_000, intervalMs: 20 });
    expect(origin.count('/slow')).toBe(1);
    const answer = await slow;
    expect(answer.status).toBe(200);
    expect(await answer.text()).toBe('slow');
    expect(await service.exit).toBe(0);
  });

  it('stops with exit 1 and one stderr line naming PORT when its proxy port is taken', async () => {
    const [taken] = await freePorts(1);
    const squatter = createServer().listen(taken, '127.0.0.1');
    await once(squatter, 'listening');
    try {
      const service = await spawnService('gateway', { PORT: String(taken) });
      expect(await service.exit).toBe(1);
      expect(service.stderr().trim().split('\n')).toEqual([`environment: PORT: 127.0.0.1:${taken} is already in use`]);
    } finally {
      squatter.close();
    }
  });

  it('stops with exit 1 and one stderr line naming DATA_DIR when it cannot be created', async () => {
    const blocker = join(dir.path, 'a-file');
    writeFileSync(blocker, 'not a directory');
    const service = await spawnService('gateway', { DATA_DIR: join(blocker, 'data') });
    expect(await service.exit).toBe(1);
    const lines = service.stderr().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^environment: DATA_DIR: cannot create /);
  });

  describe('with WORKERS=2', () => {
    it('stops with exit 1 and one stderr line naming USERS_FILE, not one per worker', async () => {
      const service = await spawnService('gateway', { WORKERS: '2', AUTH_REQUIRED: 'true', USERS_FILE: join(dir.path, 'no-such-users.json') });
      expect(await service.exit).toBe(1);
      const lines = service.stderr().trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain('USERS_FILE');
    });

    it('stops with exit 1 and one stderr line naming PORT when its proxy port is taken, not one per worker', async () => {
      const [taken] = await freePorts(1);
      const squatter = createServer().listen(taken, '127.0.0.1');
      await once(squatter, 'listening');
      try {
        const service = await spawnService('gateway', { WORKERS: '2', PORT: String(taken) });
        expect(await service.exit).toBe(1);
        expect(service.stderr().trim().split('\n')).toEqual([`environment: PORT: 127.0.0.1:${taken} is already in use`]);
      } finally {
        squatter.close();
      }
    });

    it('stops with exit 1 and one stderr line naming DATA_DIR when it cannot be created, not one per worker', async () => {
      const blocker = join(dir.path, 'a-file-workers');
      writeFileSync(blocker, 'not a directory');
      const service = await spawnService('gateway', { WORKERS: '2', DATA_DIR: join(blocker, 'data') });
      expect(await service.exit).toBe(1);
      const lines = service.stderr().trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^environment: DATA_DIR: cannot create /);
    });

    it('keeps serving new requests for DRAIN_MS when SIGTERM reaches the whole process group, then exits 0 with no worker left', async () => {
      const service = await spawnService('gateway', { WORKERS: '2', DRAIN_MS: '2000' }, [], { detached: true });
      try {
        await waitReady(service);
        const pids = ((await (await fetch(`${service.adminUrl}/ready`)).json()) as { workers: { pid: number }[] }).workers.map((w) => w.pid);
        // What systemd and a terminal do: every process of the group gets the signal.
        process.kill(-service.child.pid!, 'SIGTERM');
        await eventually(async () => expect((await fetch(`${service.adminUrl}/ready`)).status).toBe(503), { timeoutMs: 2_000, intervalMs: 20 });
        // Separate connections, so both workers are asked: neither has closed its listener.
        for (let i = 0; i < 4; i++) expect((await fetch(service.protectedUrl, { headers: { connection: 'close' } })).status).toBe(200);
        expect(await service.exit).toBe(0);
        await eventually(() => expect(pids.filter(processAlive)).toEqual([]), { timeoutMs: 5_000, intervalMs: 50 });
      } finally {
        await stopped(service);
      }
    });

    it('stops its workers without killing any when SIGTERM comes as soon as they are forked', async () => {
      const service = await spawnService('gateway', { WORKERS: '2' });
      try {
        await eventually(() => expect(logLines(service.stdout()).some((line) => line.msg === 'workers started')).toBe(true), { timeoutMs: 20_000, intervalMs: 5 });
        service.child.kill('SIGTERM');
        expect(await service.exit).toBe(0);
        expect(logLines(service.stdout()).filter((line) => line.msg === 'worker did not close in time, killing it')).toEqual([]);
      } finally {
        await stopped(service);
      }
    });

    it('passes SIGHUP on to its workers with access control off: each moves to the level LOG_LEVEL_FILE names', async () => {
      const levelFile = join(dir.path, 'level-workers');
      writeFileSync(levelFile, 'info\n');
      const service = await spawnService('gateway', { WORKERS: '2', AUTH_REQUIRED: 'false', LOG_LEVEL_FILE: levelFile });
      try {
        await waitReady(service);
        writeFileSync(levelFile, 'debug\n');
        service.child.kill('SIGHUP');
        // The primary's line and one per worker.
        await eventually(() => expect(logLines(service.stdout()).filter((line) => line.msg === 'reloaded' && line.logLevel === 'debug')).toHaveLength(3), { timeoutMs: 5_000, intervalMs: 50 });
        expect(service.child.exitCode).toBeNull();
      } finally {
        service.child.kill('SIGTERM');
        expect(await service.exit).toBe(0);
      }
    });

    it('reloads each worker once when SIGHUP reaches the whole process group', async () => {
      const levelFile = join(dir.path, 'level-group');
      writeFileSync(levelFile, 'info\n');
      const service = await spawnService('gateway', { WORKERS: '2', LOG_LEVEL_FILE: levelFile }, [], { detached: true });
      try {
        await waitReady(service);
        writeFileSync(levelFile, 'debug\n');
        process.kill(-service.child.pid!, 'SIGHUP');
        const reloads = () => logLines(service.stdout()).filter((line) => line.msg === 'reloaded');
        await eventually(() => expect(reloads()).toHaveLength(3), { timeoutMs: 5_000, intervalMs: 50 });
        // A worker's own SIGHUP is left to the primary, which has passed it on already.
        await eventually(() => expect(logLines(service.stdout()).filter((line) => line.msg === 'signal left to the primary' && line.signal === 'SIGHUP')).toHaveLength(2), { timeoutMs: 5_000, intervalMs: 50 });
        await sleep(1000);
        expect(reloads()).toHaveLength(3);
      } finally {
        service.child.kill('SIGTERM');
        expect(await service.exit).toBe(0);
      }
    });

    it('passes SIGHUP on to its workers: a user added to USERS_FILE authenticates on every worker', async () => {
      await writeUsers(['alice']);
      const service = await spawnService('gateway', { WORKERS: '2', AUTH_REQUIRED: 'true', USERS_FILE: usersFile });
      try {
        await waitReady(service);
        await writeUsers(['alice', 'carol']);
        service.child.kill('SIGHUP');
        // The primary's line and one per worker.
        await eventually(() => expect(logLines(service.stdout()).filter((line) => line.msg === 'reloaded' && JSON.stringify(line.reloaded) === '["USERS_FILE"]')).toHaveLength(3), { timeoutMs: 5_000, intervalMs: 50 });
        // Separate connections: the cluster hands them to the workers in turn.
        for (let i = 0; i < 4; i++) {
          expect((await fetch(service.protectedUrl, { headers: { authorization: basic('carol', 'carol-pw'), connection: 'close' } })).status).toBe(200);
        }
        expect(service.child.exitCode).toBeNull();
      } finally {
        service.child.kill('SIGTERM');
        expect(await service.exit).toBe(0);
      }
    });
  });
});
