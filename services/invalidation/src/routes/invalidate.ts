/**
 * `POST /cache/invalidate` (DESIGN.md §5): validated by the shared schema, normalized and
 * published. Answers 202 with the event id and its stream sequence; waiting for gateway
 * acknowledgements arrives with the complete invalidation model (issue 5).
 */
import { randomUUID } from 'node:crypto';
import { invalidationCommandSchema, validateInput, ValidationError, type Logger } from '@cairn/shared';
import type { FastifyInstance } from 'fastify';
import type { NatsConnection } from 'nats';
import { publishInvalidation } from '../invalidation-publisher.js';
import type { InvalidationMetrics } from '../metrics.js';
import { normalizeCommand } from '../normalize-command.js';

export function registerInvalidateRoute(app: FastifyInstance, nc: NatsConnection, metrics: InvalidationMetrics, logger: Logger): void {
  app.post('/cache/invalidate', async (request, reply) => {
    let command;
    try {
      command = validateInput(invalidationCommandSchema, request.body);
    } catch (err) {
      if (err instanceof ValidationError) metrics.rejected.inc({ source: 'rest' });
      throw err;
    }
    const id = randomUUID();
    const event = normalizeCommand(command, id, 'rest', new Date());
    const sequence = await publishInvalidation(nc.jetstream(), event, id);
    metrics.commands.inc({ source: 'rest', type: command.type });
    logger.info({ id, kind: event.kind, cache: event.cache, key: event.key, seq: sequence }, 'invalidation published');
    return reply.code(202).send({ id, sequence, event });
  });
}
