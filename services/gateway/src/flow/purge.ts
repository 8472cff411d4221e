/**
 * purge: the gateway's own `PURGE <url>` (the Varnish and Squid habit; README, PURGE). It is
 * never proxied, looked up nor stored: the gateway asks the fleet for a `url` invalidation
 * of the request's target as received — the invalidation service normalizes it as every url
 * command (path normalized; a query, sorted, names that variant; none names every variant)
 * — and answers like `POST /cache/invalidate`: 200 with `{id, sequence, acknowledgedBy,
 * pending, deleted}` once the gateways live at publish applied it. Without a reply within
 * PURGE_TIMEOUT_MS: 504; refused or not queued: 502. The request body is never read, so it
 * never reaches an origin. Who may purge is recv's decision (cache_admin).
 */
import { invalidationCommandSchema, validateInput, type InvalidationCommand } from '@cairn/shared';
import type { Reply } from './reply.js';
import type { GatewayContext } from '../context.js';
import { PurgeFailedError, PurgeTimeoutError } from '../errors.js';
import { deliverError, deliverOwnAnswer } from './deliver.js';
import type { Exchange } from './exchange.js';
import { assertNever } from './outcome.js';

export const PURGE_METHOD = 'PURGE';

/** The command for the request's target; a target the contract refuses (longer than 8 KiB) is a 400. */
export function purgeCommand(exchange: Exchange): InvalidationCommand {
  return validateInput(invalidationCommandSchema, { type: 'url', url: exchange.url });
}

export async function purge(exchange: Exchange, context: GatewayContext, reply: Reply): Promise<Reply> {
  exchange.decide('PASS', 'purge');
  const command = purgeCommand(exchange);
  const requestedBy = exchange.principal?.username;
  const timeoutMs = context.env.PURGE_TIMEOUT_MS;
  const result = await context.invalidationRequests.request(command, requestedBy, timeoutMs);
  switch (result.kind) {
    case 'confirmed': {
      context.metrics.purges.inc({ result: 'confirmed' });
      context.logger.info({ url: exchange.url, requestedBy, id: result.report.id, seq: result.report.sequence, pending: result.report.pending?.length }, 'purge confirmed');
      // A report of this one request: nothing downstream may store it.
      reply.header('cache-control', 'no-store');
      return deliverOwnAnswer(exchange, context, reply, 200, result.report, exchange.startedAt);
    }
    case 'timeout':
      context.metrics.purges.inc({ result: 'timeout' });
      context.logger.warn({ url: exchange.url, requestedBy, timeoutMs }, 'purge not confirmed');
      return deliverError(exchange, context, reply, new PurgeTimeoutError(exchange.url, timeoutMs));
    case 'failed':
      context.metrics.purges.inc({ result: 'failed' });
      context.logger.warn({ err: result.cause, url: exchange.url, requestedBy, problem: result.problem }, 'purge failed');
      return deliverError(exchange, context, reply, new PurgeFailedError(exchange.url, result.problem, result.cause));
    default:
      return assertNever(result);
  }
}
