/**
 * `npm start` (scripts/dev.ts; README, Two commands): ports chosen by flags, a closed
 * terminal (SIGHUP) stopping every process it started and removing its temp dirs as Ctrl-C
 * does, and a port already in use refused with one line naming it. The launcher runs as
 * `npm start` runs it after its build: tsx over scripts/dev.ts, the services from dist/.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { eventually, freeFixedPorts, processAlive } from '@cairn/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PORT_FLAGS = ['--nats-port', '--gateway-port', '--admin-port', '--rules-port', '--invalidation-port', '--origin-port'];

/** Its own TMPDIR, so what it leaves behind (or not) is told apart from everyone else's. */
let tmp: string;

function launch(args: string[]): { child: ChildProcess; output: () => string; stderr: () => string; exit: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'scripts/dev.ts'), ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, TMPDIR: tmp, LOG_LEVEL: 'warn', GATEWAYS: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return { child, output: () => output, stderr: () => stderr, exit: new Promise((resolve) => child.once('exit', (code) => resolve(code))) };
}

function childPids(pid: number): number[] {
  const text = execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' }).trim();
  return text === '' ? [] : text.split('\n').map((line) => Number(line.trim()));
}

beforeAll(() => {
  execFileSync('npx', ['tsc', '-b'], { cwd: REPO_ROOT, stdio: 'inherit', timeout: 240_000 });
  tmp = mkdtempSync(join(tmpdir(), 'cairn-launcher-test-'));
}, 300_000);

afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

describe('the npm start launcher', () => {
  it('serves on the ports its flags name, and on SIGHUP stops every process it started and removes its temp dirs', async () => {
    const ports = await freeFixedPorts(PORT_FLAGS.length);
    const launcher = launch(PORT_FLAGS.flatMap((flag, i) => [flag, String(ports[i])]));
    try {
      await eventually(() => expect(launcher.output()).toContain('Cairn is running.'), { timeoutMs: 40_000, intervalMs: 200 }).catch((err: unknown) => {
        throw new Error(`${String(err)}\n${launcher.output()}\n${launcher.stderr()}`);
      });
      const [, gatewayPort, adminPort] = ports;
      expect((await fetch(`http://127.0.0.1:${adminPort}/ready`)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${gatewayPort}/`)).status).toBe(200);
      // nats-server, rules, invalidation, the gateway (the demo origin runs in the launcher).
      const children = childPids(launcher.child.pid as number);
      expect(children.length).toBeGreaterThanOrEqual(4);
      expect(readdirSync(tmp).some((name) => name.startsWith('cairn-dev-'))).toBe(true);
      launcher.child.kill('SIGHUP');
      expect(await launcher.exit).toBe(0);
      await eventually(() => expect(children.filter(processAlive)).toEqual([]), { timeoutMs: 5_000, intervalMs: 50 });
      expect(readdirSync(tmp).filter((name) => name.startsWith('cairn-dev-') || name.startsWith('cairn-nats-'))).toEqual([]);
    } finally {
      if (launcher.child.exitCode === null) launcher.child.kill('SIGKILL');
    }
  }, 60_000);

  it('refuses a port already in use with one line naming it, and exits 1', async () => {
    const [natsPort] = await freeFixedPorts(1);
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(natsPort, '127.0.0.1', resolve));
    try {
      const launcher = launch(['--nats-port', String(natsPort)]);
      expect(await launcher.exit).toBe(1);
      const lines = launcher.stderr().trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`port ${natsPort}`);
      expect(lines[0]).toContain('--nats-port');
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });
});
