/**
 * The invalidation REST API (DESIGN.md §5):
 * - `POST /cache/invalidate`: validated by the shared schema, normalized and published;
 *   then waits (up to ACK_TIMEOUT_MS) for every gateway live at publish time to apply it
 *   and answers 200 `{id, sequence, acknowledgedBy, pending, deleted}`; with
 *   `runAsync: true` it answers 202 `{id, sequence, event}` at once.
 * - `GET /cache/invalidate/:id`: the same report, later.
 * - `GET /cache/invalidations?kind=&key=&cache=`: the latest event per target, newest
 *   first (the stream is the audit log).
 * - `GET /gateways`: the live gateways with their applied sequence.
 */
import { randomUUID } from 'node:crypto';
import {
  decodeMessage,
  invalidationCommandSchema,
  invalidationEventSchema,
  invalidationKindSchema,
  cacheScopeSchema,
  NotFoundError,
  readLatestPerSubject,
  streamNames,
  subjects,
  validateInput,
  ValidationError,
  type Logger,
} from '@cairn/shared';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { NatsConnection } from 'nats';
import { z } from 'zod';
import type { AckTracker, EventAcks } from '../ack-tracker.js';
import type { GatewayRegistry } from '../gateway-registry.js';
import { publishInvalidation } from '../invalidation-publisher.js';
import type { InvalidationMetrics } from '../metrics.js';
import { normalizeCommand } from '../normalize-command.js';

export interface InvalidateRouteDeps {
  nc: NatsConnection;
  metrics: InvalidationMetrics;
  logger: Logger;
  gateways: GatewayRegistry;
  acks: AckTracker;
  ackTimeoutMs: number;
}

const listQuerySchema = z.strictObject({
  kind: invalidationKindSchema.optional(),
  cache: cacheScopeSchema.optional(),
  key: z.string().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

/** The confirmation report: who applied it, who (of the live gateways) has not yet. */
function report(id: string, acks: EventAcks, expected: readonly string[]) {
  const acknowledgedBy = [...acks.acknowledgedBy.keys()].sort();
  let deleted = 0;
  for (const count of acks.acknowledgedBy.values()) deleted += count;
  return { id, sequence: acks.sequence, acknowledgedBy, pending: expected.filter((g) => !acks.acknowledgedBy.has(g)), deleted };
}

export function registerInvalidateRoute(app: FastifyInstance, deps: InvalidateRouteDeps): void {
  const { nc, metrics, logger, gateways, acks } = deps;

  app.post('/cache/invalidate', async (request, reply) => {
    let command;
    try {
      command = validateInput(invalidationCommandSchema, request.body);
    } catch (err) {
      if (err instanceof ValidationError) metrics.rejected.inc({ source: 'rest', reason: `invalid:${err.field || 'body'}` });
      throw err;
    }
    const id = randomUUID();
    const event = normalizeCommand(command, id, 'rest', new Date());
    // The gateways to wait for are those live when the event is published.
    const expected = gateways.live().map((g) => g.gatewayId);
    const sequence = await publishInvalidation(nc.jetstream(), event, id);
    acks.published(id, sequence);
    metrics.commands.inc({ source: 'rest', type: command.type });
    logger.info({ id, kind: event.kind, cache: event.cache, key: event.key, mode: event.mode, seq: sequence }, 'invalidation published');
    if (command.runAsync === true) return reply.code(202).send({ id, sequence, event });
    const confirmed = await acks.waitFor(id, expected, deps.ackTimeoutMs);
    return reply.code(200).send(report(id, confirmed, expected));
  });

  app.get('/gateways', async () => ({ gateways: gateways.live() }));

  app.get('/cache/invalidate/:id', async (request: FastifyRequest<{ Params: { id: string } }>) => {
    const known = acks.get(request.params.id);
    if (known === undefined) throw new NotFoundError('invalidation', request.params.id);
    return report(request.params.id, known, gateways.live().map((g) => g.gatewayId));
  });

  app.get('/cache/invalidations', async (request) => {
    const query = validateInput(listQuerySchema, request.query);
    // One retained message per target: reading them all is bounded by the number of targets.
    const messages = await readLatestPerSubject(nc, streamNames.invalidations, subjects.allInvalidations);
    const events = [];
    for (const msg of messages) {
      const decoded = decodeMessage(invalidationEventSchema, msg.data);
      if (!decoded.ok) continue;
      const event = decoded.value;
      if (query.kind !== undefined && event.kind !== query.kind) continue;
      if (query.cache !== undefined && event.cache !== query.cache) continue;
      if (query.key !== undefined && event.key !== query.key) continue;
      events.push({ sequence: msg.seq, ...event });
    }
    events.sort((a, b) => b.sequence - a.sequence);
    return { events: events.slice(0, query.limit) };
  });
}
