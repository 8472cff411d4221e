/**
 * Cairn services as operators run them (`node services/<name>/dist/main.js`, configured by
 * the environment), started and stopped by their own PID. Nothing else is ever signalled.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export { freePort } from '@cairn/testing';

export type ServiceName = 'gateway' | 'rules' | 'invalidation';

export interface ServiceProcess {
  name: string;
  pid: number;
  /** REST port of the rules/invalidation service, proxy port of a gateway. */
  url: string;
  /** The gateway's admin port; the REST port for the other services. */
  adminUrl: string;
  env: Record<string, string>;
  alive(): boolean;
  /** Resolves with the exit code or signal once the process has exited. */
  exited: Promise<string>;
  kill9(): Promise<void>;
  /** SIGTERM; resolves with the ms it took to exit, or rejects past the bound (then SIGKILL). */
  terminate(boundMs?: number): Promise<number>;
}

/** Polls `url` until it answers 200, within `boundMs`; fails early if the process exits. */
export async function waitReady(url: string, service: ServiceProcess, boundMs = 20_000): Promise<void> {
  const deadline = Date.now() + boundMs;
  while (Date.now() < deadline) {
    if (!service.alive()) throw new Error(`${service.name} exited (${await service.exited}) before it was ready`);
    const ok = await fetch(url, { signal: AbortSignal.timeout(1000) }).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) return;
    await sleep(50);
  }
  throw new Error(`${service.name} not ready at ${url} within ${boundMs} ms`);
}

export async function startService(name: string, service: ServiceName, env: Record<string, string>, logDir: string): Promise<ServiceProcess> {
  const child = spawn(process.execPath, [join(root, 'services', service, 'dist', 'main.js')], {
    // No drain: each scenario's SIGTERM bound is the close itself.
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', DRAIN_MS: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  const log = createWriteStream(join(logDir, `${name}.log`), { flags: 'a' });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  const exited = new Promise<string>((resolve) =>
    child.once('exit', (code, signal) => {
      running.delete(child);
      resolve(signal ?? String(code));
    }),
  );
  const alive = () => child.exitCode === null && child.signalCode === null;
  const port = env.PORT ?? '0';
  const proc: ServiceProcess = {
    name,
    pid: child.pid ?? -1,
    url: `http://127.0.0.1:${port}`,
    adminUrl: `http://127.0.0.1:${env.ADMIN_PORT ?? port}`,
    env,
    alive,
    exited,
    async kill9() {
      if (alive()) child.kill('SIGKILL');
      await exited;
    },
    async terminate(boundMs = 10_000) {
      const started = Date.now();
      if (!alive()) return 0;
      child.kill('SIGTERM');
      const done = await Promise.race([exited.then(() => true), sleep(boundMs).then(() => false)]);
      if (!done) {
        child.kill('SIGKILL');
        await exited;
        throw new Error(`${name} ignored SIGTERM for ${boundMs} ms (killed)`);
      }
      return Date.now() - started;
    },
  };
  await waitReady(`${proc.adminUrl}/ready`, proc);
  return proc;
}

/** Stops every service still running, by PID. */
export async function stopAll(): Promise<void> {
  for (const child of [...running]) child.kill('SIGKILL');
  await sleep(50);
}
