/**
 * Origin push (README, Active caching): an origin or a CMS publishes a full new representation
 * of a URL on `subjects.originPush`, JSON, so `nats pub cache.push '{...}'` works. Every
 * gateway stores it as if it had fetched it at that moment: its fillSeq is the invalidation
 * sequence the gateway had applied on arrival, so a later invalidation still wins.
 */
import { z } from 'zod';
import { cacheNameSchema } from './invalidation.js';

/** The largest push a gateway accepts, encoded (ORIGIN_PUSH_MAX_BYTES). */
export const DEFAULT_ORIGIN_PUSH_MAX_BYTES = 1024 * 1024;

// Pushed fields are written to clients as they are: only what an HTTP parser would have let through.
const fieldName = z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'expected an HTTP field name');
const oneValue = z.string().regex(/^[^\r\n\0]*$/, 'expected a field value without CR, LF or NUL');
const fieldValue = z.union([oneValue, z.array(oneValue).max(100)]);

export const originPushSchema = z.strictObject({
  /** The public URL as a client requests it: a path with or without query. */
  url: z
    .string()
    .min(1)
    .max(8192)
    .refine((url) => url.startsWith('/') && !url.startsWith('//') && !url.includes('#'), { error: 'expected a path like /products/1?x=2' }),
  /** Which cache; default: the one a GET of the URL would use. */
  cache: cacheNameSchema.optional(),
  status: z.int().min(200).max(599).default(200),
  /** Response fields, as the origin would send them (Content-Type, Cache-Control, the tag header...). */
  headers: z.record(fieldName, fieldValue).default({}),
  /** The request fields the cache key or a Vary selects this representation by. */
  requestHeaders: z.record(fieldName, oneValue).default({}),
  body: z.string().max(16 * 1024 * 1024),
  bodyEncoding: z.enum(['utf8', 'base64']).default('utf8'),
});
export type OriginPush = z.infer<typeof originPushSchema>;
