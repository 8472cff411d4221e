#!/usr/bin/env node
/**
 * Process entry: load config from the environment → start → stop cleanly on SIGINT/SIGTERM,
 * within a bound: a close that has not finished by then (a client that never reads, a store
 * whose disk is full) fails the stop, so the process exits 1 instead of hanging (#9).
 * WORKERS=1: this process is the gateway. WORKERS > 1: it is the node's primary
 * (cluster/primary.ts) and forks the workers, which run this file again.
 */
import cluster from 'node:cluster';
import { createLogger, runService } from '@cairn/shared';
import { WorkerLink } from './cluster/worker-link.js';
import { startPrimary } from './cluster/primary.js';
import { loadGatewayConfig } from './config.js';
import { startGateway } from './gateway.js';

/** Past the gateway's own close grace (gateway.ts), so a normal close always fits. */
const SHUTDOWN_DEADLINE_MS = 30_000;
/** A worker waits for a lease answer at most this past REQUEST_TIMEOUT_MS (the primary ends leases sooner). */
const LEASE_WAIT_GRACE_MS = 5_000;

runService('gateway', async () => {
  const config = loadGatewayConfig(process.env);
  const logger = createLogger('gateway', config.env.LOG_LEVEL);
  let service: { close(): Promise<void> };
  if (cluster.isWorker) {
    const link = WorkerLink.fromEnv(process.env, config.env.REQUEST_TIMEOUT_MS + LEASE_WAIT_GRACE_MS, logger);
    // The primary's SIGTERM may follow a signal sent to the whole process group: a second
    // signal must not kill a worker that is finishing its responses (runService handles the first).
    process.on('SIGTERM', () => undefined);
    process.on('SIGINT', () => undefined);
    // Without its primary the worker would serve unaccounted for (no acks, no leases): it stops.
    process.once('disconnect', () => {
      logger.error({ worker: link.index }, 'primary gone, stopping');
      process.kill(process.pid, 'SIGTERM');
    });
    service = await startGateway(config, logger, link);
  } else if (config.env.WORKERS > 1) {
    service = await startPrimary(config, logger);
  } else {
    service = await startGateway(config, logger);
  }
  return {
    close: () =>
      new Promise<void>((resolve, reject) => {
        const deadline = setTimeout(() => reject(new Error(`close did not finish within ${SHUTDOWN_DEADLINE_MS} ms`)), SHUTDOWN_DEADLINE_MS);
        deadline.unref();
        service.close().then(resolve, reject).finally(() => clearTimeout(deadline));
      }),
  };
});
