#!/usr/bin/env node
/** Process entry: the environment → start → the lifecycle of run-service.ts (signals, --help, --version). */
import { runService } from '@cairn/shared';
import { invalidationEnvSchema, loadInvalidationConfig } from './config.js';
import { startInvalidationService } from './server.js';

/** Past the longest wait a request makes (ACK_TIMEOUT_MS, WARM_WAIT_MS are bounded by their own settings). */
const CLOSE_DEADLINE_MS = 15_000;

runService({
  name: 'invalidation',
  summary: 'the cache.invalidate consumer and POST /cache/invalidate, publishing to CACHE_INVALIDATIONS',
  envSchema: invalidationEnvSchema,
  load: loadInvalidationConfig,
  settings: (config) => config,
  healthPort: (config) => ({ field: 'PORT', port: config.PORT, host: config.HOST }),
  start: (config, logger) => startInvalidationService(config, logger),
  closeDeadlineMs: CLOSE_DEADLINE_MS,
});
