#!/usr/bin/env node
/** Process entry: load config from the environment → start → stop cleanly on SIGINT/SIGTERM. */
import { runService } from '@cairn/shared';
import { loadGatewayConfig } from './config.js';
import { startGateway } from './gateway.js';

runService('gateway', () => startGateway(loadGatewayConfig(process.env)));
