#!/usr/bin/env node
/**
 * The demo origin as its own process (the compose file's `origin` container): PORT (8090)
 * and HOST (0.0.0.0) from the environment; stops on SIGINT/SIGTERM.
 */
import { startDemoOrigin } from './demo-origin.js';

const port = Number(process.env.PORT ?? '8090');
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write(`PORT: expected a port number from 0 to 65535, got ${JSON.stringify(process.env.PORT)}\n`);
  process.exit(1);
}
const server = await startDemoOrigin({ port, host: process.env.HOST ?? '0.0.0.0' });
process.stderr.write(`demo-origin: listening on ${process.env.HOST ?? '0.0.0.0'}:${port}\n`);
const stop = () => server.close(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
