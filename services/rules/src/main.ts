#!/usr/bin/env node
/** Process entry: the environment → start → the lifecycle of run-service.ts (signals, --help, --version). */
import { runService } from '@cairn/shared';
import { loadRulesConfig, rulesEnvSchema } from './config.js';
import { startRulesService } from './server.js';

/** Past fastify's own close of idle connections: a request still running by then is cut by the exit. */
const CLOSE_DEADLINE_MS = 10_000;

runService({
  name: 'rules',
  summary: 'the REST admin for TTL rules, stored in the CACHE_RULES stream',
  envSchema: rulesEnvSchema,
  load: loadRulesConfig,
  settings: (config) => config,
  healthPort: (config) => ({ field: 'PORT', port: config.PORT, host: config.HOST }),
  start: (config, logger) => startRulesService(config, logger),
  closeDeadlineMs: CLOSE_DEADLINE_MS,
});
