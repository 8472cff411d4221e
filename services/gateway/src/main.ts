#!/usr/bin/env node
/**
 * Process entry: load config from the environment → start → stop cleanly on SIGINT/SIGTERM,
 * within a bound: a close that has not finished by then (a client that never reads, a store
 * whose disk is full) fails the stop, so the process exits 1 instead of hanging (#9).
 */
import { runService } from '@cairn/shared';
import { loadGatewayConfig } from './config.js';
import { startGateway } from './gateway.js';

/** Past the gateway's own close grace (gateway.ts), so a normal close always fits. */
const SHUTDOWN_DEADLINE_MS = 30_000;

runService('gateway', async () => {
  const gateway = await startGateway(loadGatewayConfig(process.env));
  return {
    close: () =>
      new Promise<void>((resolve, reject) => {
        const deadline = setTimeout(() => reject(new Error(`close did not finish within ${SHUTDOWN_DEADLINE_MS} ms`)), SHUTDOWN_DEADLINE_MS);
        deadline.unref();
        gateway.close().then(resolve, reject).finally(() => clearTimeout(deadline));
      }),
  };
});
