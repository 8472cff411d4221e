/**
 * The invalidation REST API (README, Invalidation):
 * - `POST /cache/invalidate`: validated by the shared schema, normalized and published;
 *   then waits (up to ACK_TIMEOUT_MS) for every gateway live at publish time to apply it
 *   and answers 200 `{id, sequence, acknowledgedBy, pending, deleted}`; with
 *   `runAsync: true` it answers 202 `{id, sequence, event}` at once.
 * - `GET /cache/invalidate/:id`: the same report, later.
 * - `GET /cache/invalidations?kind=&cache=&key=&mode=&limit=&before=`: the latest event per
 *   target, newest first (the stream is the audit log), one bounded page at a time: at most
 *   MAX_LIST_LIMIT events, read with filter subjects and a bounded consumer range (#9);
 *   `next` is the cursor to pass as `before` for the following page.
 * - `GET /gateways`: the live gateways with their applied sequence.
 */
import { randomUUID } from 'node:crypto';
import {
  decodeMessage,
  headers as cairnHeaders,
  principalOf,
  isFromInvalidationService,
  invalidReasonLabel,
  invalidationCommandSchema,
  invalidationEventSchema,
  invalidationKindSchema,
  invalidationModeSchema,
  cacheScopeSchema,
  NotFoundError,
  streamNames,
  subjects,
  validateInput,
  ValidationError,
  type InvalidationList,
  type Logger,
} from '@cairn/shared';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { JsMsg, NatsConnection } from 'nats';
import { z } from 'zod';
import type { AckTracker } from '../ack-tracker.js';
import { confirmationReport as report } from '../confirmation-report.js';
import { refresherFrom } from '../gateway-choice.js';
import { gatewayStatus, type GatewayRegistry } from '../gateway-registry.js';
import { publishInvalidation } from '../invalidation-publisher.js';
import type { InvalidationMetrics } from '../metrics.js';
import { readNewestPage } from '../newest-page.js';
import { normalizeCommand } from '../normalize-command.js';

export interface InvalidateRouteDeps {
  nc: NatsConnection;
  metrics: InvalidationMetrics;
  logger: Logger;
  gateways: GatewayRegistry;
  acks: AckTracker;
  ackTimeoutMs: number;
}

/** The largest page `GET /cache/invalidations` answers. */
export const MAX_LIST_LIMIT = 500;

export const listQuerySchema = z.strictObject({
  kind: invalidationKindSchema.optional(),
  cache: cacheScopeSchema.optional(),
  key: z.string().min(1).max(8192).optional(),
  mode: invalidationModeSchema.optional(),
  limit: z.coerce.number().int().min(1).max(MAX_LIST_LIMIT).default(100),
  /** The cursor: only events with a lower sequence (the `next` of the previous page). */
  before: z.coerce.number().int().positive().optional(),
});
type ListQuery = z.infer<typeof listQuerySchema>;

/**
 * Filter subjects covering the query: the hard, soft and refresh events of a kind live under
 * three kind tokens.
 */
function listFilters(query: ListQuery): string[] {
  const modes = query.kind === undefined || query.mode !== undefined ? [query.mode] : (['hard', 'soft', 'refresh'] as const);
  return modes.map((mode) => subjects.invalidationFilter({ kind: query.kind, cache: query.cache, key: query.key, mode }));
}

/** The page's events, newest first: only those the invalidation service wrote and the query names. */
function listedEvents(messages: JsMsg[], query: ListQuery): InvalidationList['events'] {
  const events: InvalidationList['events'] = [];
  for (const msg of messages) {
    if (!isFromInvalidationService(msg.headers)) continue;
    const decoded = decodeMessage(invalidationEventSchema, msg.data);
    if (!decoded.ok) continue;
    const event = decoded.value;
    if (query.kind !== undefined && event.kind !== query.kind) continue;
    if (query.cache !== undefined && event.cache !== query.cache) continue;
    if (query.key !== undefined && event.key !== query.key) continue;
    if (query.mode !== undefined && event.mode !== query.mode) continue;
    // Who asked, when access control was on (README, Access control).
    const requestedBy = msg.headers?.get(cairnHeaders.natsAuthor) || undefined;
    events.push({ sequence: msg.seq, ...event, ...(requestedBy === undefined ? {} : { requestedBy }) });
  }
  return events;
}

export function registerInvalidateRoute(app: FastifyInstance, deps: InvalidateRouteDeps): void {
  const { nc, metrics, logger, gateways, acks } = deps;
  const refresher = refresherFrom(gateways);

  app.post('/cache/invalidate', async (request, reply) => {
    let command;
    try {
      command = validateInput(invalidationCommandSchema, request.body);
    } catch (err) {
      if (err instanceof ValidationError) metrics.rejected.inc({ source: 'rest', reason: invalidReasonLabel(invalidationCommandSchema, err.field) });
      throw err;
    }
    const id = randomUUID();
    const event = normalizeCommand(command, id, 'rest', new Date(), refresher);
    // The gateways to wait for are those live when the event is published.
    const expected = gateways.live().map((g) => g.gatewayId);
    const requestedBy = principalOf(request)?.username;
    const sequence = await publishInvalidation(nc.jetstream(), event, id, undefined, requestedBy);
    acks.published(id, sequence);
    metrics.commands.inc({ source: 'rest', type: command.type });
    logger.info({ id, kind: event.kind, cache: event.cache, key: event.key, mode: event.mode, refreshBy: event.refreshBy, seq: sequence, requestedBy }, 'invalidation published');
    if (command.runAsync === true) return reply.code(202).send({ id, sequence, event });
    const confirmed = await acks.waitFor(id, expected, deps.ackTimeoutMs);
    return reply.code(200).send(report(id, confirmed, expected));
  });

  app.get('/gateways', async () => ({ gateways: gateways.live().map(gatewayStatus) }));

  app.get('/cache/invalidate/:id', async (request: FastifyRequest<{ Params: { id: string } }>) => {
    const known = acks.get(request.params.id);
    if (known === undefined) throw new NotFoundError('invalidation', request.params.id);
    return report(request.params.id, known, gateways.live().map((g) => g.gatewayId));
  });

  app.get('/cache/invalidations', async (request) => {
    const query = validateInput(listQuerySchema, request.query);
    const pages = await Promise.all(
      listFilters(query).map((filterSubject) => readNewestPage(nc, { stream: streamNames.invalidations, filterSubject, before: query.before, limit: query.limit })),
    );
    const messages = pages.flatMap((page) => page.messages).sort((a, b) => b.seq - a.seq).slice(0, query.limit);
    const last = messages.at(-1);
    // A full page continues below its oldest event; a short one only where a filter stopped early.
    const unfinished = pages.map((page) => page.next).filter((next) => next !== undefined);
    const next = messages.length === query.limit && last !== undefined ? last.seq : unfinished.length > 0 ? Math.max(...unfinished) : null;
    return { events: listedEvents(messages, query), next };
  });
}
