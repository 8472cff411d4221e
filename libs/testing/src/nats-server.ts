/**
 * A real `nats-server -js` for tests and the dev launcher (modelled on nats.js nst):
 * loopback only, a random port, a temp store dir. Stopped by its own PID.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { tempDir, type TempDir } from './temp-dir.js';

export const NATS_INSTALL_HINT = 'nats-server not found on PATH: install it with `sudo apt-get install nats-server` (Debian/Ubuntu)';

export interface NatsServer extends AsyncDisposable {
  url: string;
  port: number;
  storeDir: string;
  pid: number;
  /**
   * Stops the server and starts it again on the same port and store directory;
   * `whileDown` runs in between (what clients see during an outage).
   */
  restart(whileDown?: () => Promise<void>): Promise<void>;
  stop(): Promise<void>;
}

export function natsServerAvailable(): boolean {
  return spawnSync('nats-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

interface Running {
  child: ChildProcess;
  port: number;
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

interface LaunchConfig {
  configFile: string | undefined;
  env: Record<string, string>;
}

async function launch(storeDir: string, portsDir: string, port: number, config: LaunchConfig): Promise<Running> {
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
        let ports: { nats?: string[] } | undefined;
        try {
          ports = JSON.parse(text) as { nats?: string[] };
        } catch {
          ports = undefined;
        }
        const url = ports?.nats?.[0];
        if (url !== undefined) return Number(new URL(url).port);
      }
      await sleep(10);
    }
    child.kill('SIGKILL');
    throw new Error(`nats-server did not become ready within 10 s: ${stderr}`);
  })();
  const readyPort = await Promise.race([ready, exited]);
  return { child, port: readyPort };
}

async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timedOut = await Promise.race([exited.then(() => false), sleep(5000).then(() => true)]);
  if (timedOut) {
    child.kill('SIGKILL');
    await exited;
  }
}

export interface NatsServerOptions {
  /** A fixed port (the dev launcher uses 4222); random when absent. */
  port?: number;
  /** A nats-server config file (users, permissions), e.g. `natsPermissions().configFile`. */
  configFile?: string;
  /** Environment for the server, e.g. the passwords the config file names as `$VAR`. */
  env?: Record<string, string>;
}

export async function startNatsServer(options: NatsServerOptions = {}): Promise<NatsServer> {
  if (!natsServerAvailable()) throw new Error(NATS_INSTALL_HINT);
  const launchConfig: LaunchConfig = { configFile: options.configFile, env: options.env ?? {} };
  const store: TempDir = await tempDir('cairn-nats-store-');
  const portsDir: TempDir = await tempDir('cairn-nats-ports-');
  let running: Running;
  try {
    running = await launch(store.path, portsDir.path, options.port ?? -1, launchConfig);
  } catch (err) {
    await store.remove();
    await portsDir.remove();
    throw err;
  }
  const port = running.port;
  const stop = async () => {
    await terminate(running.child);
  };
  const server: NatsServer = {
    url: `nats://127.0.0.1:${port}`,
    port,
    storeDir: store.path,
    get pid() {
      return running.child.pid ?? -1;
    },
    async restart(whileDown) {
      await stop();
      try {
        await whileDown?.();
      } finally {
        running = await launch(store.path, portsDir.path, port, launchConfig);
      }
    },
    async stop() {
      await stop();
      await store.remove();
      await portsDir.remove();
    },
    [Symbol.asyncDispose]: () => server.stop(),
  };
  return server;
}
