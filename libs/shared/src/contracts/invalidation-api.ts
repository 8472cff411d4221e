/**
 * The invalidation service's REST answers (README, Invalidation; Active caching) beyond the
 * confirmation report (invalidation-reply.ts). The OpenAPI document at `/docs/json` is
 * generated from these, and the routes build their answers to them. Times are ISO 8601
 * strings; durations are numbers with their unit in the name.
 */
import { z } from 'zod';
import { gatewayHeartbeatSchema } from './gateway-presence.js';
import { cacheNameSchema, invalidationEventSchema } from './invalidation.js';
import { warmOutcomeSchema } from './warm.js';

const isoTime = (what: string) => z.iso.datetime().describe(`ISO 8601 time ${what}`);

/** `POST /cache/invalidate` with `runAsync: true`: 202 at once. */
export const invalidationAcceptedSchema = z.object({
  id: z.string(),
  sequence: z.int().positive().describe('The event\'s CACHE_INVALIDATIONS sequence'),
  event: invalidationEventSchema,
});

/** `GET /cache/invalidations`: one page, newest first. */
export const invalidationListSchema = z.object({
  events: z.array(
    z.object({
      sequence: z.int().positive(),
      ...invalidationEventSchema.shape,
      requestedBy: z.string().optional().describe('Who asked, when access control was on'),
    }),
  ),
  next: z.int().positive().nullable().describe('Pass as `before` for the next page; null on the last'),
});
export type InvalidationList = z.infer<typeof invalidationListSchema>;

/** One live gateway in `GET /gateways`: its last heartbeat, and when this service heard it. */
export const gatewayStatusSchema = gatewayHeartbeatSchema.extend({
  sentAt: isoTime('the gateway sent its last heartbeat (its clock)'),
  lastSeenAt: isoTime("this service received it (the service's clock)"),
});
export type GatewayStatus = z.infer<typeof gatewayStatusSchema>;

export const gatewayListSchema = z.object({ gateways: z.array(gatewayStatusSchema).describe('Heard from within 3 s, by id') });

const warmStateSchema = z.enum(['running', 'done']);

/** `POST /cache/warm` with `runAsync: true`: 202 at once. */
export const warmAcceptedSchema = z.object({
  id: z.string(),
  state: warmStateSchema,
  total: z.int().nonnegative(),
  statusUrl: z.string().describe('GET it for the report; also the Location header'),
});

/** `GET /cache/warm/:id` (and `POST /cache/warm`'s waiting answer, with `statusUrl`). */
export const warmReportSchema = z.object({
  id: z.string(),
  state: warmStateSchema,
  cache: cacheNameSchema.optional(),
  sitemap: z
    .object({
      url: z.string(),
      listed: z.int().nonnegative().describe('<loc> values read'),
      skipped: z.int().nonnegative().describe('Not a path or http(s) URL, or a repeat'),
      truncated: z.boolean().describe('The sitemap listed more URLs than a warm takes'),
    })
    .optional(),
  requestedBy: z.string().optional(),
  total: z.int().nonnegative(),
  stored: z.int().nonnegative(),
  cached: z.int().nonnegative(),
  notCacheable: z.int().nonnegative(),
  failed: z.int().nonnegative(),
  pending: z.int().nonnegative(),
  startedAt: isoTime('the warm started'),
  finishedAt: isoTime('every URL was settled').optional(),
  urls: z.array(
    z.object({
      url: z.string(),
      path: z.string(),
      state: z.union([z.literal('pending'), warmOutcomeSchema]),
      fetchedBy: z.string().optional().describe('The gateway asked to fetch it'),
      status: z.int().optional().describe("The origin's status"),
      reason: z.string().optional(),
      storedOn: z.array(z.string()).describe('Gateways that hold it'),
    }),
  ),
  offset: z.int().nonnegative(),
  next: z.int().nonnegative().nullable().describe('Pass as `offset` for the next page of URLs; null on the last'),
});
export type WarmReport = z.infer<typeof warmReportSchema>;
export const warmAnswerSchema = warmReportSchema.extend({ statusUrl: z.string() });
