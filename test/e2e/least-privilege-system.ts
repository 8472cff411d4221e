/**
 * A whole Cairn on a nats-server started with the shipped permissions (README, NATS
 * permissions): each service connects as its own NATS user. HTTP auth is off explicitly, so
 * these tests cover NATS only, whatever the services' AUTH_REQUIRED default.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadGatewayConfig, startGateway, type Gateway } from '@cairn/gateway';
import { loadInvalidationConfig, startInvalidationService, type InvalidationService } from '@cairn/invalidation';
import { loadRulesConfig, startRulesService, type RulesService } from '@cairn/rules';
import { createLogger, natsAuthOptions } from '@cairn/shared';
import { natsPermissions, startNatsServer, startOrigin, tempDir, type NatsPermissions, type NatsUserName, type NatsServer, type Origin, type TempDir } from '@cairn/testing';
import { connect, type NatsConnection } from 'nats';

const LOG_LEVEL = process.env.TEST_LOG_LEVEL ?? 'silent';

export interface LeastPrivilegeSystem {
  nats: NatsServer;
  permissions: NatsPermissions;
  origin: Origin;
  dir: TempDir;
  startRules(): Promise<RulesService>;
  startInvalidation(): Promise<InvalidationService>;
  /** Starts a gateway as the `gateway` NATS user; resolves once it serves. */
  startGateway(id: string, env?: Record<string, string>): Promise<Gateway>;
  /** A plain client connected as one of the shipped users (closed with the system). */
  connectAs(user: NatsUserName): Promise<NatsConnection>;
  close(): Promise<void>;
}

export async function startLeastPrivilegeSystem(): Promise<LeastPrivilegeSystem> {
  const dir = await tempDir('cairn-e2e-perms-');
  const permissions = natsPermissions();
  const nats = await startNatsServer({ configFile: permissions.configFile, env: permissions.env });
  const origin = await startOrigin();
  writeFileSync(join(dir.path, 'cacheConfiguration.test.json'), JSON.stringify({ defaultOrigin: origin.url, defaultCacheKey: { includeQueryParams: 'ALL' } }));
  const common = { NATS_URL: nats.url, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL, AUTH_REQUIRED: 'false' };
  const closers: Array<() => Promise<void>> = [];
  const track = <T extends { close(): Promise<void> }>(started: T): T => {
    closers.push(() => started.close());
    return started;
  };
  return {
    nats,
    permissions,
    origin,
    dir,
    startRules: async () => track(await startRulesService(loadRulesConfig({ ...common, ...permissions.users.rules }), createLogger('rules', LOG_LEVEL))),
    startInvalidation: async () =>
      track(await startInvalidationService(loadInvalidationConfig({ ...common, ...permissions.users.invalidation }), createLogger('invalidation', LOG_LEVEL))),
    async startGateway(id, env = {}) {
      const config = loadGatewayConfig({
        ...common,
        ...permissions.users.gateway,
        ADMIN_PORT: '0',
        ENVIRONMENT: 'test',
        CONFIG_DIR: dir.path,
        DATA_DIR: join(dir.path, `data-${id}`),
        GATEWAY_ID: id,
        ...env,
      });
      return track(await startGateway(config, createLogger('gateway', LOG_LEVEL)));
    },
    async connectAs(user) {
      // As the services connect: with the user's own inbox prefix, the only one it may read.
      const nc = await connect({ servers: nats.url, ...natsAuthOptions(permissions.users[user]) });
      closers.push(() => nc.close());
      return nc;
    },
    async close() {
      for (const close of closers.reverse()) await close();
      await origin.close();
      await nats.stop();
      await dir.remove();
    },
  };
}
