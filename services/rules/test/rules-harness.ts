/** A real nats-server and rules service per test, and a fetch helper for its REST API. */
import { createLogger } from '@cairn/shared';
import { startNatsServer, type NatsServer } from '@cairn/testing';
import { afterEach, beforeEach } from 'vitest';
import { loadRulesConfig } from '../src/config.js';
import { startRulesService, type RulesService } from '../src/server.js';

export interface RulesHarness {
  readonly nats: NatsServer;
  readonly service: RulesService;
  /** Stops the service and starts a new instance on the same NATS server. */
  restart(): Promise<void>;
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
}

/** `env()` adds to the service's environment (read at each start). */
export function useRulesService(env: () => Record<string, string> = () => ({})): RulesHarness {
  let nats: NatsServer | undefined;
  let service: RulesService | undefined;
  const start = () =>
    startRulesService(loadRulesConfig({ NATS_URL: (nats as NatsServer).url, AUTH_REQUIRED: 'false', HOST: '127.0.0.1', PORT: '0', ...env() }), createLogger('rules', 'silent'));

  beforeEach(async () => {
    nats = await startNatsServer();
    service = await start();
  });
  afterEach(async () => {
    await service?.close();
    await nats?.stop();
  });

  return {
    get nats() {
      return nats as NatsServer;
    },
    get service() {
      return service as RulesService;
    },
    async restart() {
      await service?.close();
      service = await start();
    },
    call(method, path, body, headers = {}) {
      return fetch(`${(service as RulesService).url}${path}`, {
        method,
        headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
        ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      });
    },
  };
}
