/**
 * One real gateway on a test nats-server, a temp LMDB directory and a counting origin.
 * Rules and invalidations are written to JetStream directly, as the services would.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger, encodeMessage, headers as cairnHeaders, invalidationPublisherHeaders, ruleSchema, subjects, type InvalidationEvent } from '@cairn/shared';
import { eventually, startNatsServer, startOrigin, tempDir, type NatsServer, type Origin, type TempDir } from '@cairn/testing';
import { expect } from 'vitest';
import { connect, headers as natsHeaders, type NatsConnection } from 'nats';
import { loadGatewayConfig } from '../src/config.js';
import { startGateway, type Gateway } from '../src/gateway.js';
import type { AccessLogDestination } from '../src/access-log.js';

type InvalidationInput = Pick<InvalidationEvent, 'kind' | 'cache'> & Partial<Pick<InvalidationEvent, 'key' | 'mode' | 'refreshBy'>>;

export interface GatewayHarness {
  nats: NatsServer;
  nc: NatsConnection;
  origin: Origin;
  dir: TempDir;
  gateway: Gateway;
  start(env?: Record<string, string>): Promise<Gateway>;
  putRule(rule: Record<string, unknown> & { id: string }): Promise<number>;
  /** Writes a rule and waits until the gateway's rule feed has applied it. */
  applyRule(rule: Record<string, unknown> & { id: string }): Promise<void>;
  /** Writes an invalidation event; its sequence once JetStream stored it (not yet applied by the gateway). */
  invalidate(event: InvalidationInput): Promise<number>;
  /** Writes an invalidation event and waits until the gateway's invalidation feed has applied it. */
  applyInvalidation(event: InvalidationInput): Promise<number>;
  /** The gateway's /metrics lines for one metric name. */
  metric(name: string): Promise<string>;
  close(): Promise<void>;
}

/** `cacheConfiguration` gets the origin's URL, for configs that name it more than once. `accessLog`: where ACCESS_LOG lines go (stdout if unset). */
export async function startGatewayHarness(
  cacheConfiguration: (originUrl: string) => Record<string, unknown> = () => ({}),
  env: Record<string, string> = {},
  accessLog?: AccessLogDestination,
): Promise<GatewayHarness> {
  const dir = await tempDir('cairn-gateway-');
  const nats = await startNatsServer();
  const nc = await connect({ servers: nats.url, reconnectTimeWait: 50, maxReconnectAttempts: -1 });
  const origin = await startOrigin();
  writeFileSync(
    join(dir.path, 'cacheConfiguration.test.json'),
    JSON.stringify({ defaultOrigin: origin.url, defaultCacheKey: { includeQueryParams: 'ALL' }, ...cacheConfiguration(origin.url) }),
  );
  const start = (extra: Record<string, string> = {}) =>
    startGateway(
      loadGatewayConfig({
        NATS_URL: nats.url,
        AUTH_REQUIRED: 'false',
        HOST: '127.0.0.1',
        PORT: '0',
        ADMIN_PORT: '0',
        ENVIRONMENT: 'test',
        CONFIG_DIR: dir.path,
        DATA_DIR: join(dir.path, 'data'),
        GATEWAY_ID: 'test-gateway',
        ...env,
        ...extra,
      }),
      createLogger('gateway', process.env.TEST_LOG_LEVEL ?? 'silent'),
      undefined,
      accessLog,
    );
  const harness: GatewayHarness = {
    nats,
    nc,
    origin,
    dir,
    gateway: await start(),
    start,
    async putRule(rule) {
      const h = natsHeaders();
      h.set(cairnHeaders.natsOp, 'upsert');
      const ack = await nc.jetstream().publish(subjects.rule(rule.id), encodeMessage({ op: 'upsert', rule: ruleSchema.parse(rule) }), { headers: h });
      return ack.seq;
    },
    async applyRule(rule) {
      const seq = await harness.putRule(rule);
      await eventually(async () => {
        const ready = (await (await fetch(`${harness.gateway.adminUrl}/ready`)).json()) as { rules: { revision: number } };
        expect(ready.rules.revision).toBeGreaterThanOrEqual(seq);
      });
    },
    async applyInvalidation(event) {
      const seq = await harness.invalidate(event);
      await eventually(async () => {
        const ready = (await (await fetch(`${harness.gateway.adminUrl}/ready`)).json()) as { invalidations: { appliedSeq: number } };
        expect(ready.invalidations.appliedSeq).toBeGreaterThanOrEqual(seq);
      });
      return seq;
    },
    async invalidate(event) {
      const full = { id: `e-${Date.now()}`, mode: 'hard', issuedAt: new Date().toISOString(), source: 'nats', ...event };
      // Written as the invalidation service writes it: gateways skip unmarked events (#9).
      const ack = await nc.jetstream().publish(subjects.invalidation(event.kind, event.cache, event.key, event.mode), encodeMessage(full), { timeout: 1000, headers: invalidationPublisherHeaders() });
      return ack.seq;
    },
    async metric(name) {
      const text = await (await fetch(`${harness.gateway.adminUrl}/metrics`)).text();
      return text.split('\n').filter((line) => line.startsWith(name)).join('\n');
    },
    async close() {
      await harness.gateway.close();
      await nc.close();
      await origin.close();
      await nats.stop();
      await dir.remove();
    },
  };
  return harness;
}

export const outcome = async (response: Response | Promise<Response>): Promise<string | null> => {
  const r = await response;
  await r.arrayBuffer();
  return r.headers.get(cairnHeaders.cache);
};
