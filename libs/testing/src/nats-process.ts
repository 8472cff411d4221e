/**
 * Launching and stopping one `nats-server` process, shared by the single server and the
 * cluster helpers: loopback only, ports read from its ports file. Not exported from the package.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const NATS_INSTALL_HINT = 'nats-server not found on PATH: install it with `sudo apt-get install nats-server` (Debian/Ubuntu)';

export interface Running {
  child: ChildProcess;
  port: number;
  /** The HTTP monitoring port (/jsz, /healthz), also on 127.0.0.1. */
  monitoringPort: number;
}

/**
 * Servers this process started and has not stopped. When the process exits with some
 * still running (a test timed out before its cleanup, a script threw), they are killed
 * by PID rather than left behind.
 */
const started = new Set<ChildProcess>();
const killStarted = () => {
  for (const child of started) child.kill('SIGKILL');
};
process.once('exit', killStarted);
// A signal ends the process without 'exit' handlers; kill ours, then let the signal do
// what it would have done (unless the process handles it itself, like the dev launcher).
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    // A process that handles the signal itself stops its servers in its own cleanup.
    if (process.listenerCount(signal) > 0) return;
    killStarted();
    process.kill(process.pid, signal);
  });
}

export interface LaunchConfig {
  configFile: string | undefined;
  env: Record<string, string>;
}

export async function launch(storeDir: string, portsDir: string, port: number, config: LaunchConfig): Promise<Running> {
  // Command-line flags override the config file's listen address, port and store dir.
  const args = [...(config.configFile === undefined ? [] : ['-c', config.configFile]), '-js', '-a', '127.0.0.1', '-p', String(port), '-m', '-1', '--ports_file_dir', portsDir, '-sd', storeDir];
  const child = spawn('nats-server', args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...config.env } });
  started.add(child);
  child.once('exit', () => started.delete(child));
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const exited = new Promise<never>((_, reject) => {
    child.once('error', (err) => reject(new Error(NATS_INSTALL_HINT, { cause: err })));
    child.once('exit', (code) => reject(new Error(`nats-server exited with ${code} before it was ready: ${stderr}`)));
  });
  exited.catch(() => undefined);
  const ready = (async () => {
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const files = (await readdir(portsDir)).filter((f) => f.endsWith('.ports') && f.includes(`_${child.pid}.`));
      const file = files[0];
      if (file !== undefined) {
        const text = await readFile(join(portsDir, file), 'utf8');
        // The server may still be writing the file: a partial one is read again.
        let ports: { nats?: string[]; monitoring?: string[] } | undefined;
        try {
          ports = JSON.parse(text) as { nats?: string[]; monitoring?: string[] };
        } catch {
          ports = undefined;
        }
        const url = ports?.nats?.[0];
        const monitoring = ports?.monitoring?.[0];
        if (url !== undefined && monitoring !== undefined) return { port: Number(new URL(url).port), monitoringPort: Number(new URL(monitoring).port) };
      }
      await sleep(10);
    }
    child.kill('SIGKILL');
    throw new Error(`nats-server did not become ready within 10 s: ${stderr}`);
  })();
  const ports = await Promise.race([ready, exited]);
  return { child, ...ports };
}

export async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timedOut = await Promise.race([exited.then(() => false), sleep(5000).then(() => true)]);
  if (timedOut) {
    child.kill('SIGKILL');
    await exited;
  }
}
