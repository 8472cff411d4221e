/**
 * The port a service will serve on, held while it waits for NATS (README, Lifecycle): a
 * bare listener answers `/health` 200 (`nats: "not connected"`) and everything else 503, so
 * an orchestrator sees a live process that is not ready instead of a refused port. The
 * service's own listener takes the port over once NATS answers (connectNats releases it).
 */
import { createServer, type Server } from 'node:http';
import { cairnVersion } from '../build-info.js';
import { listenFailure } from '../config/startup-resource.js';

let held: Server | undefined;

/** Binds `port` (not 0: the service's own listener could not take a random port over); a port taken or not permitted is a one-line ConfigError naming `field` (startup-resource.ts). */
export async function holdStartupPort(field: string, port: number, host: string): Promise<void> {
  const server = createServer((request, response) => {
    const health = request.url === '/health';
    response.writeHead(health ? 200 : 503, { 'content-type': 'application/json', connection: 'close' });
    response.end(JSON.stringify(health ? { status: 'starting', version: cairnVersion, nats: 'not connected' } : { ready: false, starting: true, nats: false }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(listenFailure(err, field, host, port)));
    server.listen(port, host, () => resolve());
  });
  held = server;
}

/** Frees the held port at once (a no-op when none is held): the service is about to listen on it. */
export async function releaseStartupPort(): Promise<void> {
  const server = held;
  held = undefined;
  if (server === undefined) return;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  await closed;
}
