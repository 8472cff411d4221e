#!/usr/bin/env node
/**
 * Process entry: load config from the environment → start → the lifecycle of run-service.ts
 * (--help, --version, DRAIN_MS on SIGTERM, SIGHUP reloads) → stop within a bound: a close that has not finished by then (a client that never reads, a store
 * whose disk is full) fails the stop, so the process exits 1 instead of hanging (#9).
 * WORKERS=1: this process is the gateway. WORKERS > 1: it is the node's primary
 * (cluster/primary.ts) and forks the workers, which run this file again.
 */
import cluster from 'node:cluster';
import { runService } from '@cairn/shared';
import { WorkerLink } from './cluster/worker-link.js';
import { startPrimary } from './cluster/primary.js';
import { gatewayEnvSchema, loadGatewayConfig } from './config.js';
import { startGateway } from './gateway.js';
import { exitNow } from './store/exit-now.js';

/** Past the gateway's own close grace (gateway.ts), so a normal close always fits. */
const SHUTDOWN_DEADLINE_MS = 30_000;
/** A worker waits for a lease answer at most this past REQUEST_TIMEOUT_MS (the primary ends leases sooner). */
const LEASE_WAIT_GRACE_MS = 5_000;

runService({
  name: 'gateway',
  summary: 'the caching proxy (PORT) and its admin listener (ADMIN_PORT)',
  envSchema: gatewayEnvSchema,
  load: loadGatewayConfig,
  // A worker's primary drained the node before it tells the worker to stop.
  settings: (config) => (cluster.isWorker ? { ...config.env, DRAIN_MS: 0 } : config.env),
  // The admin port answers /health while NATS is awaited; a worker serves no admin port.
  healthPort: (config) => (cluster.isWorker ? undefined : { field: 'ADMIN_PORT', port: config.env.ADMIN_PORT, host: config.env.ADMIN_HOST }),
  // A worker's signals are its primary's: it drains the node, then tells each worker to stop
  // (cluster/primary.ts), and passes SIGHUP on.
  ownsSignals: () => !cluster.isWorker,
  start: async (config, logger, lifecycle) => {
    let service: { close(): Promise<void>; reloadUsers(): void; reloaded?(): void };
    const opensStore = cluster.isWorker || config.env.WORKERS === 1;
    // A crash in a process that has the store open must not hang it holding the write lock (store/exit-now.ts).
    if (opensStore) process.on('uncaughtException', (err) => exitNow('uncaught exception', err));
    if (cluster.isWorker) {
      const link = WorkerLink.fromEnv(process.env, config.env.REQUEST_TIMEOUT_MS + LEASE_WAIT_GRACE_MS, logger);
      link.stopRequested = () => lifecycle.stop('primary');
      link.reloadRequested = () => lifecycle.reload('SIGHUP');
      // Without its primary the worker would serve unaccounted for (no acks, no leases): it stops
      // at once, as its primary did. Before node's own handler, whose process.exit could hang
      // holding the store's write lock (store/exit-now.ts).
      process.prependOnceListener('disconnect', () => exitNow(`worker ${link.index}: primary gone, stopping`));
      service = await startGateway(config, logger, link);
    } else if (config.env.WORKERS > 1) {
      service = await startPrimary(config, logger);
    } else {
      service = await startGateway(config, logger);
    }
    return {
      reloadUsers: () => service.reloadUsers(),
      reloaded: () => service.reloaded?.(),
      close: () =>
        new Promise<void>((resolve, reject) => {
          // A close past its deadline may have a store write in flight: not a plain exit (store/exit-now.ts).
          const deadline = setTimeout(
            () => (opensStore ? exitNow(`close did not finish within ${SHUTDOWN_DEADLINE_MS} ms`) : reject(new Error(`close did not finish within ${SHUTDOWN_DEADLINE_MS} ms`))),
            SHUTDOWN_DEADLINE_MS,
          );
          deadline.unref();
          service.close().then(resolve, reject).finally(() => clearTimeout(deadline));
        }),
    };
  },
});
