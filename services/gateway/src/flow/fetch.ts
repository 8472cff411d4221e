/**
 * fetch: the origin request, for a fill (GET, fillSeq recorded before it starts) or a
 * pass (the client's method and body, streamed). Timeouts and refusals surface as
 * OriginTimeoutError / OriginUnavailableError from the origin pool.
 */
import type { Readable } from 'node:stream';
import type { GatewayContext, Route } from '../context.js';
import { forwardHeaders, responseHeaders } from '../origin/forward-headers.js';
import type { Exchange } from './exchange.js';

export interface Fetched {
  status: number;
  headers: Record<string, string | string[]>;
  body: Readable;
  signal: AbortSignal;
  /** The invalidation sequence applied when the request began (DESIGN.md §5). */
  fillSeq: number;
  /** The invalidation feed's epoch when the request began; fillSeq means nothing in another. */
  fillEpoch: number;
}

export async function fetch(exchange: Exchange, context: GatewayContext, route: Route, mode: 'fill' | 'pass'): Promise<Fetched> {
  // Read before the request leaves: an invalidation applied after this point has a
  // higher sequence and so wins over whatever the origin answers.
  const fillSeq = context.invalidations.appliedSeq;
  const fillEpoch = context.invalidations.epoch;
  const signal = AbortSignal.timeout(context.env.REQUEST_TIMEOUT_MS);
  const fill = mode === 'fill';
  const stopTimer = context.metrics.originFetchSeconds.startTimer({ cache: route.cache });
  const response = await route.origin.request({
    method: fill ? 'GET' : exchange.method,
    path: exchange.upstreamPath,
    headers: forwardHeaders(exchange.headers, route, fill),
    body: fill || exchange.method === 'GET' || exchange.method === 'HEAD' ? undefined : exchange.body,
    signal,
  });
  stopTimer();
  return { status: response.statusCode, headers: responseHeaders(response.headers), body: response.body, signal, fillSeq, fillEpoch };
}
