#!/usr/bin/env node
/**
 * The demo origin as its own process (the compose file's `origin` container): PORT (8090),
 * HOST (0.0.0.0) and LOG_LEVEL (info) from the environment; logs its lifecycle as JSON lines
 * like the services; stops on SIGINT/SIGTERM.
 */
import { createLogger, logLevelSchema } from '@cairn/shared';
import { startDemoOrigin } from './demo-origin.js';

const port = Number(process.env.PORT ?? '8090');
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write(`environment: PORT: expected a port number from 0 to 65535, got ${JSON.stringify(process.env.PORT)}\n`);
  process.exit(1);
}
const level = logLevelSchema.safeParse(process.env.LOG_LEVEL ?? 'info');
if (!level.success) {
  process.stderr.write(`environment: LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, silent, got ${JSON.stringify(process.env.LOG_LEVEL)}\n`);
  process.exit(1);
}
const logger = createLogger('demo-origin', level.data);
const host = process.env.HOST ?? '0.0.0.0';
const server = await startDemoOrigin({ port, host });
const bound = server.address();
logger.info({ url: `http://${host}:${typeof bound === 'object' && bound !== null ? bound.port : port}` }, 'listening');
const stop = (signal: string) => {
  logger.info({ signal }, 'stopping');
  server.close(() => {
    logger.info({}, 'stopped');
    process.exit(0);
  });
};
process.once('SIGINT', () => stop('SIGINT'));
process.once('SIGTERM', () => stop('SIGTERM'));
