/**
 * One invalidation service on its own test nats-server per test, as the specs here use it:
 * `start(env)` runs the real service (again after `stop()`), `nc` is a client of the same
 * server for publishing commands and reading streams.
 */
import { createLogger } from '@cairn/shared';
import { startNatsServer, type NatsServer } from '@cairn/testing';
import { connect, type NatsConnection } from 'nats';
import { afterEach, beforeEach } from 'vitest';
import { loadInvalidationConfig } from '../src/config.js';
import { startInvalidationService, type InvalidationService } from '../src/server.js';

export interface InvalidationHarness {
  readonly nats: NatsServer;
  readonly nc: NatsConnection;
  /** The running service (start() must have been called). */
  readonly service: InvalidationService;
  start(env?: Record<string, string>): Promise<InvalidationService>;
  /** Stops the running service, as when it is down. */
  stop(): Promise<void>;
  /** The service's /metrics text. */
  metrics(): Promise<string>;
}

export function useInvalidationService(options: { started?: boolean } = {}): InvalidationHarness {
  let nats: NatsServer | undefined;
  let nc: NatsConnection | undefined;
  let service: InvalidationService | undefined;
  const harness: InvalidationHarness = {
    get nats() {
      return nats as NatsServer;
    },
    get nc() {
      return nc as NatsConnection;
    },
    get service() {
      if (service === undefined) throw new Error('the invalidation service is not running');
      return service;
    },
    async start(env = {}) {
      service = await startInvalidationService(
        loadInvalidationConfig({ NATS_URL: (nats as NatsServer).url, AUTH_REQUIRED: 'false', HOST: '127.0.0.1', PORT: '0', ...env }),
        createLogger('invalidation', process.env.TEST_LOG_LEVEL ?? 'silent'),
      );
      return service;
    },
    async stop() {
      await service?.close();
      service = undefined;
    },
    async metrics() {
      return (await fetch(`${harness.service.url}/metrics`)).text();
    },
  };
  beforeEach(async () => {
    nats = await startNatsServer();
    nc = await connect({ servers: nats.url });
    if (options.started === true) await harness.start();
  });
  afterEach(async () => {
    await harness.stop();
    await nc?.close();
    await nats?.stop();
  });
  return harness;
}
