/**
 * The whole Cairn the suite attacks: a real nats-server, the rules and invalidation
 * services and gateways as separate processes (so they can be killed with -9), and the
 * fault origin. Gateways keep their port and data directory across restarts.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startNatsServer, tempDir, type NatsServer, type TempDir } from '@cairn/testing';
import { connect, type NatsConnection } from 'nats';
import { startFaultOrigin, type FaultOrigin } from './origin.js';
import { freePort, startService, stopAll, type ServiceProcess } from './processes.js';

const LOG_LEVEL = process.env.FAULTS_LOG_LEVEL ?? 'warn';

export interface GatewayOptions {
  env?: Record<string, string>;
  dataDir?: string;
}

export interface FaultSystem {
  dir: TempDir;
  nats: NatsServer;
  nc: NatsConnection;
  origin: FaultOrigin;
  rules: ServiceProcess;
  invalidation: ServiceProcess;
  /** Starts (or restarts, same id: same ports and data) a gateway process. */
  gateway(id: string, options?: GatewayOptions): Promise<ServiceProcess>;
  restartInvalidation(): Promise<ServiceProcess>;
  close(): Promise<void>;
}

export async function startFaultSystem(
  cacheConfiguration: (originUrl: string) => Record<string, unknown>,
  serviceEnv: { gateway: Record<string, string>; invalidation: Record<string, string> },
): Promise<FaultSystem> {
  const dir = await tempDir('cairn-faults-');
  const nats = await startNatsServer();
  const nc = await connect({ servers: nats.url, reconnectTimeWait: 100, maxReconnectAttempts: -1 });
  const origin = await startFaultOrigin();
  writeFileSync(join(dir.path, 'cacheConfiguration.faults.json'), JSON.stringify({ defaultOrigin: origin.url, ...cacheConfiguration(origin.url) }));
  const common = { NATS_URL: nats.url, AUTH_REQUIRED: 'false', HOST: '127.0.0.1', LOG_LEVEL };
  const rules = await startService('rules', 'rules', { ...common, PORT: String(await freePort()) }, dir.path);
  const invalidationEnv = { ...common, PORT: String(await freePort()), ...serviceEnv.invalidation };
  const gatewayPorts = new Map<string, { port: string; admin: string }>();
  const system: FaultSystem = {
    dir,
    nats,
    nc,
    origin,
    rules,
    invalidation: await startService('invalidation', 'invalidation', invalidationEnv, dir.path),
    async gateway(id, options = {}) {
      let ports = gatewayPorts.get(id);
      if (ports === undefined) {
        ports = { port: String(await freePort()), admin: String(await freePort()) };
        gatewayPorts.set(id, ports);
      }
      return startService(
        id,
        'gateway',
        {
          ...common,
          PORT: ports.port,
          ADMIN_PORT: ports.admin,
          ENVIRONMENT: 'faults',
          CONFIG_DIR: dir.path,
          DATA_DIR: options.dataDir ?? join(dir.path, `data-${id}`),
          GATEWAY_ID: id,
          ...serviceEnv.gateway,
          ...options.env,
        },
        dir.path,
      );
    },
    async restartInvalidation() {
      system.invalidation = await startService('invalidation', 'invalidation', invalidationEnv, dir.path);
      return system.invalidation;
    },
    async close() {
      await stopAll();
      await nc.close().catch(() => undefined);
      await origin.close();
      await nats.stop();
      if (process.env.FAULTS_KEEP_LOGS === undefined) await dir.remove();
      else process.stdout.write(`logs kept in ${dir.path}\n`);
    },
  };
  return system;
}
