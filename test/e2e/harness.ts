/**
 * A whole Cairn on one test nats-server: rules and invalidation services, a real origin,
 * and as many gateways as a test asks for, each on its own LMDB directory.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadGatewayConfig, startGateway, type Gateway } from '@cairn/gateway';
import { loadInvalidationConfig, startInvalidationService, type InvalidationService } from '@cairn/invalidation';
import { loadRulesConfig, startRulesService, type RulesService } from '@cairn/rules';
import { createLogger, encodeMessage, subjects } from '@cairn/shared';
import { connect, type NatsConnection } from 'nats';
import { afterEach, beforeEach, expect } from 'vitest';
import { eventually, startNatsServer, startOrigin, tempDir, type NatsServer, type Origin, type TempDir } from '@cairn/testing';

const LOG_LEVEL = process.env.TEST_LOG_LEVEL ?? 'silent';

export interface System extends AsyncDisposable {
  nats: NatsServer;
  origin: Origin;
  rules: RulesService;
  invalidation: InvalidationService;
  dir: TempDir;
  /** Starts a gateway; the same `id` reuses that gateway's data directory (a restart). */
  gateway(id: string, env?: Record<string, string>): Promise<Gateway>;
  close(): Promise<void>;
}

/**
 * `cacheConfiguration` may be a function of the origin's URL, for configs that name it more than once.
 * `env` goes to every service (access control is off unless it turns it on).
 */
export async function startSystem(
  cacheConfiguration: Record<string, unknown> | ((originUrl: string) => Record<string, unknown>) = {},
  env: Record<string, string> = {},
): Promise<System> {
  const dir = await tempDir('cairn-e2e-');
  const nats = await startNatsServer();
  const origin = await startOrigin();
  const common = { NATS_URL: nats.url, AUTH_REQUIRED: 'false', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL, ...env };
  const rules = await startRulesService(loadRulesConfig(common), createLogger('rules', LOG_LEVEL));
  const invalidation = await startInvalidationService(loadInvalidationConfig(common), createLogger('invalidation', LOG_LEVEL));
  writeFileSync(
    join(dir.path, 'cacheConfiguration.test.json'),
    JSON.stringify({
      defaultOrigin: origin.url,
      defaultCacheKey: { includeQueryParams: 'ALL' },
      ...(typeof cacheConfiguration === 'function' ? cacheConfiguration(origin.url) : cacheConfiguration),
    }),
  );
  const gateways: Gateway[] = [];
  const close = async () => {
    for (const gateway of gateways) await gateway.close();
    await invalidation.close();
    await rules.close();
    await origin.close();
    await nats.stop();
    await dir.remove();
  };
  return {
    nats,
    origin,
    rules,
    invalidation,
    dir,
    async gateway(id, env = {}) {
      const config = loadGatewayConfig({
        ...common,
        ADMIN_PORT: '0',
        ENVIRONMENT: 'test',
        CONFIG_DIR: dir.path,
        DATA_DIR: join(dir.path, `data-${id}`),
        GATEWAY_ID: id,
        ...env,
      });
      const gateway = await startGateway(config, createLogger('gateway', LOG_LEVEL));
      gateways.push(gateway);
      const close = gateway.close.bind(gateway);
      gateway.close = async () => {
        gateways.splice(gateways.indexOf(gateway), 1);
        await close();
      };
      return gateway;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** A JSON request to one of the services. */
export async function call(base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

/** The outcome header, after reading the whole response (a fill completes with its body). */
export async function cacheHeader(url: string, init?: RequestInit): Promise<string | null> {
  const response = await fetch(url, init);
  await response.arrayBuffer();
  return response.headers.get('x-cairn-cache');
}

/**
 * Whether the gateway holds a servable answer for the URL, asked with `only-if-cached` so
 * nothing is fetched (nor replicated to the peers, which a MISS's refill would be).
 */
export async function holds(url: string): Promise<boolean> {
  const response = await fetch(url, { headers: { 'cache-control': 'only-if-cached' } });
  await response.arrayBuffer();
  return response.status !== 504;
}

/** Until the gateway holds the URL: its own fill (MISS, then HIT) or a peer's replicated one (HIT). */
export async function fillUntilHit(url: string): Promise<void> {
  await eventually(async () => expect(await cacheHeader(url)).toBe('HIT'));
}

/** Publishes like `nats pub cache.invalidate '{...}'`: a plain core NATS publish. */
export async function natsPub(nc: NatsConnection, command: unknown): Promise<void> {
  nc.publish(subjects.invalidationCommands, encodeMessage(command));
  await nc.flush();
}

/** PUT a rule on the rules service; the PUT must succeed. */
export async function putRule(system: System, id: string, rule: Record<string, unknown>): Promise<void> {
  const response = await call(system.rules.url, 'PUT', `/rules/${id}`, rule);
  if (response.status !== 204) throw new Error(`PUT /rules/${id}: ${response.status} ${await response.text()}`);
}

export interface SystemFixture {
  readonly system: System;
  /** A plain NATS client on the system's server, as an operator's `nats` CLI would be. */
  readonly nc: NatsConnection;
}

/** A fresh system (and a NATS client) per test of the calling describe block. */
export function useSystem(cacheConfiguration: Parameters<typeof startSystem>[0] = {}): SystemFixture {
  let system: System | undefined;
  let nc: NatsConnection | undefined;
  beforeEach(async () => {
    system = await startSystem(cacheConfiguration);
    nc = await connect({ servers: system.nats.url });
  });
  afterEach(async () => {
    await nc?.close();
    await system?.close();
  });
  return {
    get system() {
      return system as System;
    },
    get nc() {
      return nc as NatsConnection;
    },
  };
}
