/** @cairn/rules: the rules service, startable in-process (tests, the dev launcher) or by main.ts. */
export { loadRulesConfig, rulesEnvSchema, type RulesConfig } from './config.js';
export { startRulesService, type RulesService } from './server.js';
