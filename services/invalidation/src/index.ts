/** @cairn/invalidation: the invalidation service, startable in-process or by main.ts. */
export { invalidationEnvSchema, loadInvalidationConfig, type InvalidationConfig } from './config.js';
export { startInvalidationService, type InvalidationService } from './server.js';
