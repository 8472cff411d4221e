/**
 * Fill replication (README, Active caching): a gateway that stored a fill offers it to its
 * peers on `subjects.fillReplication` (core NATS: a peer that misses one only asks the origin
 * itself later). The message is msgpack, so a body travels as raw bytes. A peer stores the
 * entry under the clock-free rule: the filler's `fillSeq` counts in the CACHE_INVALIDATIONS
 * stream named by `streamCreated`, so an invalidation newer than the fill wins everywhere.
 */
import { Packr } from 'msgpackr';
import { z } from 'zod';
import { describeIssues } from '../config/describe-issues.js';
import { cacheNameSchema } from './invalidation.js';
import { MAX_GATEWAY_ID_LENGTH } from './gateway-presence.js';
import type { DecodeResult } from './message-codec.js';

/** Bodies larger than this are announced (meta only), not shipped (REPLICATION_MAX_BODY_BYTES). */
export const DEFAULT_REPLICATION_MAX_BODY_BYTES = 1024 * 1024;

/** What a peer needs of the stored metadata; the rest travels along as the filler stored it. */
const replicatedMetaSchema = z.looseObject({
  status: z.int().min(100).max(599),
  headers: z.record(z.string(), z.union([z.string(), z.array(z.string())])),
  cache: cacheNameSchema,
  ruleId: z.string(),
  tags: z.array(z.string()),
  url: z.string().startsWith('/'),
  urlPath: z.string(),
  urlQueryKey: z.string(),
  storedAt: z.number(),
  expiresAt: z.number().nonnegative(),
  fillSeq: z.int().nonnegative(),
  varyOn: z.array(z.string()).optional(),
  variantId: z.string().optional(),
});

export const replicatedFillSchema = z.object({
  gatewayId: z.string().min(1).max(MAX_GATEWAY_ID_LENGTH),
  /** `StreamInfo.created` of the CACHE_INVALIDATIONS stream the fillSeq belongs to. */
  streamCreated: z.string().min(1),
  /** The URL key (a variant is stored under it, as the filler's was). */
  urlKey: z.string().min(1).max(4096),
  meta: replicatedMetaSchema,
  /** Absent when the body is over the bound: the fill is announced only. */
  body: z.custom<Uint8Array>((value) => value instanceof Uint8Array, { error: 'expected bytes' }).optional(),
  bodyBytes: z.int().nonnegative(),
  /** The warming this fill answers (POST /cache/warm), so peers confirm it. */
  warmId: z.string().max(256).optional(),
  /** Wall-clock ms at publish: replication lag, for humans and the benchmark only. */
  sentAt: z.number(),
});
export type ReplicatedFill = z.infer<typeof replicatedFillSchema>;

/**
 * `started`: the gateway asks the origin for the key now; its replicated fill follows.
 * `unstored`: that fill ended without an entry to replicate (an error, a 404, no-store...).
 */
export const fillIntentSchema = z.object({
  gatewayId: z.string().min(1).max(MAX_GATEWAY_ID_LENGTH),
  key: z.string().min(1).max(4096),
  state: z.enum(['started', 'stored', 'unstored']),
});
export type FillIntent = z.infer<typeof fillIntentSchema>;

/** How long a peer waits for the fill a gateway announced before asking the origin itself (nginx proxy_cache_lock_timeout is 5 s). */
export const DEFAULT_FLEET_FILL_WAIT_MS = 5_000;

const packr = new Packr({ useRecords: false });

export function encodeReplicatedFill(fill: ReplicatedFill): Uint8Array {
  return packr.pack(fill);
}

/** Never throws: a malformed message is the receiver's to log, count and skip. */
export function decodeReplicatedFill(data: Uint8Array): DecodeResult<ReplicatedFill> {
  let value: unknown;
  try {
    value = packr.unpack(data);
  } catch (err) {
    return { ok: false, error: `not msgpack: ${(err as Error).message}`, reason: 'not-msgpack' };
  }
  const parsed = replicatedFillSchema.safeParse(value);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, error: describeIssues(parsed.error), reason: 'invalid' };
}
