/**
 * Compatibility aliases for the system Cairn replaces (README, Rules): the same handlers
 * as `/rules`, under the old paths.
 */
import type { FastifyInstance } from 'fastify';
import type { RuleHandlers } from './rules.js';

export function registerTtlConfigAliases(app: FastifyInstance, handlers: RuleHandlers): void {
  app.post('/cache/ttlConfig', handlers.create);
  app.put('/cache/ttlConfig/:id', handlers.upsert);
}
