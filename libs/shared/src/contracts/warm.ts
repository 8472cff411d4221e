/**
 * Warming (README, Active caching): `POST /cache/warm` on the invalidation service asks one
 * live gateway per URL to fetch it for the fleet (`subjects.warmRequests`); that gateway's fill
 * replicates to its peers, and every gateway that stored it (or failed to) says so on
 * `subjects.warmAcks`. `GET /cache/warm/:id` reports the progress. All JSON.
 */
import { z } from 'zod';
import { cacheNameSchema } from './invalidation.js';
import { MAX_GATEWAY_ID_LENGTH } from './gateway-presence.js';

export const MAX_WARM_URLS = 10_000;
const gatewayId = z.string().min(1).max(MAX_GATEWAY_ID_LENGTH);
const warmUrl = z
  .string()
  .trim()
  .min(1, 'expected a URL')
  .max(8192)
  .refine((url) => (url.startsWith('/') && !url.startsWith('//')) || (/^https?:\/\//i.test(url) && URL.canParse(url)), {
    error: 'expected a path like /products/1?x=2 or an absolute http(s) URL',
  });

/** The REST body: URLs, or a sitemap to read them from (exactly one). */
export const warmCommandSchema = z
  .strictObject({
    urls: z.array(warmUrl).min(1, 'expected at least one URL').max(MAX_WARM_URLS, `expected at most ${MAX_WARM_URLS} URLs`).optional(),
    /** An absolute http(s) URL of a sitemap (or sitemap index) whose `<loc>` URLs are warmed. */
    sitemap: z
      .string()
      .refine((url) => /^https?:\/\//i.test(url) && URL.canParse(url), { error: 'expected an absolute http(s) URL' })
      .optional(),
    cache: cacheNameSchema.optional(),
    /** true: 202 at once; otherwise the answer waits (bounded) until every URL is settled and replicated. */
    runAsync: z.boolean().optional(),
  })
  .superRefine((cmd, ctx) => {
    if ((cmd.urls === undefined) === (cmd.sitemap === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['urls'], message: 'expected exactly one of "urls" and "sitemap"' });
    }
  });
export type WarmCommand = z.infer<typeof warmCommandSchema>;

/** Service → gateways: `fetchBy` fetches the URL; the others only store what it replicates. */
export const warmRequestSchema = z.object({
  warmId: z.string().min(1).max(256),
  /** The path and query to warm (an absolute URL's origin part is dropped by the service). */
  url: z.string().startsWith('/').max(8192),
  cache: cacheNameSchema.optional(),
  fetchBy: gatewayId,
});
export type WarmRequest = z.infer<typeof warmRequestSchema>;

/**
 * `stored`: this gateway now holds the URL's answer (fetched, or replicated from `fetchBy`);
 * `cached`: it already held a fresh one, nothing was fetched; `not-cacheable`: no rule (or the
 * origin's answer) allows storing it; `failed`: the origin failed or answered an error.
 */
export const warmOutcomeSchema = z.enum(['stored', 'cached', 'not-cacheable', 'failed']);
export type WarmOutcome = z.infer<typeof warmOutcomeSchema>;

export const warmAckSchema = z.object({
  warmId: z.string().min(1).max(256),
  url: z.string().max(8192),
  gatewayId,
  outcome: warmOutcomeSchema,
  /** True from the gateway that asked the origin. */
  fetched: z.boolean(),
  status: z.int().optional(),
  reason: z.string().max(256).optional(),
});
export type WarmAck = z.infer<typeof warmAckSchema>;
