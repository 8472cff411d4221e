/**
 * What gateways tell the invalidation service over core NATS (README, Invalidation): a heartbeat
 * saying they are alive and how far they have applied the invalidation stream, and an
 * acknowledgement for every invalidation event they applied.
 */
import { z } from 'zod';

/** How often a gateway announces itself; it counts as gone after three missed beats. */
export const GATEWAY_HEARTBEAT_MS = 1000;
export const GATEWAY_LIVENESS_MS = 3 * GATEWAY_HEARTBEAT_MS;

/** Longest gateway id heartbeats and acks may carry (issue #9: bounded registry and answers). */
export const MAX_GATEWAY_ID_LENGTH = 256;
const gatewayIdSchema = z.string().min(1).max(MAX_GATEWAY_ID_LENGTH);

/** Answers since the gateway started, by cache outcome (PASS and BYPASS never look in the store). */
export const lookupCountsSchema = z
  .object({
    hit: z.int().nonnegative().describe('HIT answers'),
    stale: z.int().nonnegative().describe('STALE answers (served from the store past freshness)'),
    miss: z.int().nonnegative().describe('MISS answers'),
  })
  .describe("The gateway's answers since it started; the hit ratio is (hit + stale) / (hit + stale + miss)");
export type LookupCounts = z.infer<typeof lookupCountsSchema>;

export const gatewayHeartbeatSchema = z.object({
  gatewayId: gatewayIdSchema,
  /** The last CACHE_INVALIDATIONS sequence the gateway applied. */
  appliedSeq: z.int().nonnegative(),
  /** `normal`, or `feed-lost` while it revalidates every hit (README, Invalidation). */
  mode: z.enum(['normal', 'feed-lost']),
  /** What `cairn status` reads the hit ratio from; optional, so a heartbeat without it still counts. */
  lookups: lookupCountsSchema.optional(),
  /** Wall-clock time for humans. */
  sentAt: z.iso.datetime(),
});
export type GatewayHeartbeat = z.infer<typeof gatewayHeartbeatSchema>;

export const invalidationAckSchema = z.object({
  eventId: z.string().min(1).max(256),
  seq: z.int().positive(),
  gatewayId: gatewayIdSchema,
  /** Entries the gateway deleted for the event (tag and url events; 0 when the map decides on read). */
  deleted: z.int().nonnegative(),
});
export type InvalidationAck = z.infer<typeof invalidationAckSchema>;
