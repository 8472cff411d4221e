/**
 * A real `nats-server -js` for tests and the dev launcher (modelled on nats.js nst):
 * loopback only, a random port, a temp store dir. Stopped by its own PID.
 */
import { spawnSync } from 'node:child_process';
import { launch, NATS_INSTALL_HINT, terminate, type LaunchConfig, type Running } from './nats-process.js';
import { tempDir, type TempDir } from './temp-dir.js';

export { NATS_INSTALL_HINT } from './nats-process.js';

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
