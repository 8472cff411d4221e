/**
 * Child processes the conformance run starts (nginx, varnishd, the gateway): each is
 * tracked, stopped by its own PID (SIGTERM, then SIGKILL after a bound), and its output
 * tail is kept for error messages. `stopAll()` is what SIGINT and the end of the run call.
 */
import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

export interface Tracked {
  child: ChildProcess;
  /** The last few KiB of stdout and stderr. */
  output(): string;
  exited(): boolean;
  stop(): Promise<void>;
}

const STOP_GRACE_MS = 5000;
const tracked = new Set<Tracked>();
const cleanups: (() => Promise<void>)[] = [];

export function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The first line `binary flag` prints (nginx and varnishd print their version on stderr). */
export function versionLine(binary: string, flag: string): string {
  const run = spawnSync(binary, [flag], { encoding: 'utf8', timeout: 5000 });
  return `${run.stderr ?? ''}${run.stdout ?? ''}`.split('\n')[0]?.trim() || 'version unknown';
}

export function startTracked(command: string, args: string[], options: SpawnOptions = {}): Tracked {
  const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  let tail = '';
  const keep = (chunk: Buffer) => (tail = (tail + chunk.toString()).slice(-4000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  child.on('error', (err) => keep(Buffer.from(`\n${err.message}\n`)));
  const isExited = () => child.exitCode !== null || child.signalCode !== null || child.pid === undefined;
  const entry: Tracked = {
    child,
    output: () => tail,
    exited: isExited,
    async stop() {
      tracked.delete(entry);
      if (isExited()) return;
      const exit = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      process.kill(child.pid!, 'SIGTERM');
      if (await Promise.race([exit.then(() => false), sleep(STOP_GRACE_MS).then(() => true)])) {
        if (!isExited()) process.kill(child.pid!, 'SIGKILL');
        await Promise.race([exit, sleep(STOP_GRACE_MS)]);
      }
    },
  };
  tracked.add(entry);
  return entry;
}

/** Registers work to run at the end (temp dirs, servers), in reverse order of registration. */
export function onCleanup(cleanup: () => Promise<void>): void {
  cleanups.push(cleanup);
}

export async function stopAll(): Promise<void> {
  await Promise.allSettled([...tracked].map((entry) => entry.stop()));
  while (cleanups.length > 0) await cleanups.pop()!().catch(() => undefined);
}

export { freePort } from '@cairn/testing';

/** Polls `check` every 100 ms until it holds, the process exits, or `timeoutMs` passes. */
export async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs: number, proc?: Tracked): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc?.exited()) throw new Error(`${what}: process exited (${proc.child.exitCode ?? proc.child.signalCode}): ${proc.output().trim().slice(-600)}`);
    if (await check().catch(() => false)) return;
    await sleep(100);
  }
  throw new Error(`${what}: not ready within ${timeoutMs} ms${proc ? `: ${proc.output().trim().slice(-600)}` : ''}`);
}
