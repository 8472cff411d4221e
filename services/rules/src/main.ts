#!/usr/bin/env node
/** Process entry: load config from the environment → start → stop cleanly on SIGINT/SIGTERM. */
import { runService } from '@cairn/shared';
import { loadRulesConfig } from './config.js';
import { startRulesService } from './server.js';

runService('rules', () => startRulesService(loadRulesConfig(process.env)));
