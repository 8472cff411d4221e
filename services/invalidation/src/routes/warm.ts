/**
 * The warming REST API (README, Active caching):
 * - `POST /cache/warm` `{urls | sitemap, cache?}` (an admin write, like `POST /cache/invalidate`):
 *   validated by the shared schema, the sitemap (if any) read, then confirmed like an
 *   invalidation: 200 with the report (its first page) once every URL is settled and each
 *   stored one is held by every live gateway, waiting at most WARM_WAIT_MS; 202 with the
 *   report so far (`state: running`) when that takes longer, or at once with `runAsync: true`.
 *   Either carries `statusUrl` and `Location: statusUrl`. No live gateway: 503; no room for
 *   another warm: 429.
 * - `GET /cache/warm/:id?offset=&limit=`: the report, with one page of URLs (at most
 *   MAX_REPORT_URLS; `next` is the offset of the following page, null on the last); 404 for a
 *   warm this instance does not keep (never started here, or forgotten: warm-job-store.ts).
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { principalOf, validateInput, warmCommandSchema, NotFoundError, type Logger } from '@cairn/shared';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { NoLiveGatewayError } from '../errors.js';
import type { GatewayRegistry } from '../gateway-registry.js';
import type { InvalidationMetrics } from '../metrics.js';
import type { SitemapReadOptions } from '../sitemap-reader.js';
import type { WarmDispatcher } from '../warm-dispatcher.js';
import { WarmJob } from '../warm-job.js';
import type { WarmJobStore } from '../warm-job-store.js';
import { warmTargetsOf } from '../warm-targets.js';

export interface WarmRouteDeps {
  metrics: InvalidationMetrics;
  logger: Logger;
  gateways: GatewayRegistry;
  jobs: WarmJobStore;
  dispatcher: WarmDispatcher;
  sitemapRead: SitemapReadOptions;
  /** How long a warm's answer waits for its URLs (WARM_WAIT_MS). */
  waitMs: number;
}

/** How often a waiting answer looks at the peers' confirmations once the fetches are done. */
const CONFIRM_POLL_MS = 10;

/** The most URLs one `GET /cache/warm/:id` lists. */
export const MAX_REPORT_URLS = 1000;
/**
 * Fastify's default 1 MiB would refuse a body of MAX_WARM_URLS URLs longer than about 100
 * characters each; 4 MiB allows about 400 each, and stays far below what the store keeps.
 */
const WARM_BODY_LIMIT = 4 * 1024 * 1024;

export const reportQuerySchema = z.strictObject({
  offset: z.coerce.number().int().nonnegative().default(0),
  limit: z.coerce.number().int().min(1).max(MAX_REPORT_URLS).default(MAX_REPORT_URLS),
});

/**
 * Waits, at most `waitMs`, until every URL is settled and every stored one is held by each
 * live gateway (the fetcher's replicated fill reaches the peers a moment after its ack).
 */
async function confirmation(job: WarmJob, gateways: GatewayRegistry, waitMs: number): Promise<boolean> {
  const deadline = Date.now() + waitMs;
  let timer: NodeJS.Timeout | undefined;
  const finished = await Promise.race([job.finished.then(() => true), new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), waitMs)))]);
  clearTimeout(timer);
  if (!finished) return false;
  while (!job.heldByAll(gateways.live().length)) {
    if (Date.now() >= deadline) return false;
    await sleep(CONFIRM_POLL_MS);
  }
  return true;
}

export const warmStatusUrl = (id: string): string => `/cache/warm/${encodeURIComponent(id)}`;

export function registerWarmRoutes(app: FastifyInstance, deps: WarmRouteDeps): void {
  const { metrics, logger, gateways, jobs, dispatcher } = deps;

  app.post('/cache/warm', { bodyLimit: WARM_BODY_LIMIT }, async (request, reply) => {
    const command = validateInput(warmCommandSchema, request.body);
    // Before reading a sitemap: with nobody to fetch, reading it would be wasted.
    if (gateways.live().length === 0) throw new NoLiveGatewayError('warm with');
    const { targets, sitemap } = await warmTargetsOf(command, deps.sitemapRead, logger);
    const requestedBy = principalOf(request)?.username;
    const job = new WarmJob(randomUUID(), targets, { cache: command.cache, sitemap, requestedBy });
    jobs.add(job);
    metrics.warmUrls.inc({ source: sitemap === undefined ? 'urls' : 'sitemap' }, job.total);
    logger.info({ warmId: job.id, total: job.total, cache: job.cache, sitemap: sitemap?.url, requestedBy }, 'warm started');
    dispatcher.submit(job);
    const statusUrl = warmStatusUrl(job.id);
    reply.header('location', statusUrl);
    if (command.runAsync === true) return reply.code(202).send({ id: job.id, state: job.state, total: job.total, statusUrl });
    const confirmed = await confirmation(job, gateways, deps.waitMs);
    return reply.code(confirmed ? 200 : 202).send({ ...job.report({ offset: 0, limit: MAX_REPORT_URLS }), statusUrl });
  });

  app.get('/cache/warm/:id', async (request: FastifyRequest<{ Params: { id: string } }>) => {
    const page = validateInput(reportQuerySchema, request.query);
    const job = jobs.get(request.params.id);
    if (job === undefined) throw new NotFoundError('warm', request.params.id);
    return job.report(page);
  });
}
