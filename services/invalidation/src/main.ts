#!/usr/bin/env node
/** Process entry: load config from the environment → start → stop cleanly on SIGINT/SIGTERM. */
import { runService } from '@cairn/shared';
import { loadInvalidationConfig } from './config.js';
import { startInvalidationService } from './server.js';

runService('invalidation', () => startInvalidationService(loadInvalidationConfig(process.env)));
