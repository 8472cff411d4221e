/**
 * fetch: the origin request, for a fill (GET with the keyed target and headers; fillSeq
 * recorded before it starts) or a pass (the client's method, headers and body, streamed).
 * A fill for a stale entry with validators asks conditionally (If-None-Match /
 * If-Modified-Since). Timeouts and refusals surface as OriginTimeoutError /
 * OriginUnavailableError; the outer deadline aborts the origin request too, and so does a
 * pass's client going away (ClientAbortedError, counted apart from origin errors).
 */
import type { Readable } from 'node:stream';
import type { GatewayContext, Route } from '../context.js';
import { Verdict } from '../control/invalidation-map.js';
import { watchClient } from '../origin/client-abort.js';
import { fillHeaders, passHeaders, responseHeaders } from '../origin/forward-headers.js';
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
  /** The request was conditional on the stale entry's validators (a 304 refreshes it). */
  conditional: boolean;
}

export async function fetchOrigin(exchange: Exchange, context: GatewayContext, route: Route, mode: 'fill' | 'pass'): Promise<Fetched> {
  // Read before the request leaves: an invalidation applied after this point has a
  // higher sequence and so wins over whatever the origin answers.
  const fillSeq = context.invalidations.appliedSeq;
  const fillEpoch = context.invalidations.epoch;
  const fill = mode === 'fill';
  const headers = fill ? fillHeaders(exchange.headers, route) : passHeaders(exchange.headers, route);
  const entry = fill ? exchange.entry : undefined;
  // Only an entry no hard purge up to fillSeq applies to may be revalidated (a soft purge
  // asks for exactly that): a 304 then vouches for it as of fillSeq, and an invalidation
  // that lands meanwhile still wins.
  const conditional = entry !== undefined && context.invalidations.map.verdict(entry.meta, fillSeq) !== Verdict.Hard;
  if (conditional && entry.meta.originEtag !== undefined) headers['if-none-match'] = entry.meta.originEtag;
  if (conditional && entry.meta.originLastModified !== undefined) headers['if-modified-since'] = entry.meta.originLastModified;
  const deadline = AbortSignal.timeout(context.env.REQUEST_TIMEOUT_MS);
  const clientGone = exchange.response === undefined ? undefined : watchClient(exchange.response, context.metrics, !fill);
  const signal = clientGone === undefined ? deadline : AbortSignal.any([deadline, clientGone]);
  const body = fill || exchange.method === 'GET' || exchange.method === 'HEAD' ? undefined : exchange.body;
  const stopTimer = context.metrics.originFetchSeconds.startTimer({ cache: route.cache });
  const response = await route.origin.request({
    method: fill ? 'GET' : exchange.method,
    path: fill ? exchange.fillTarget : exchange.upstreamPath,
    headers,
    body,
    signal,
    // Only a body about to be forwarded is asked for (RFC 9110 §10.1.1): an answer made
    // without it (refused, queue full) leaves it unsent, and node closes the connection.
    beforeSend: body === undefined ? undefined : exchange.sendContinue,
  });
  stopTimer();
  exchange.forwardStatus = response.statusCode;
  return {
    status: response.statusCode,
    headers: responseHeaders(response.headers),
    body: response.body,
    signal,
    fillSeq,
    fillEpoch,
    conditional: conditional && (entry.meta.originEtag !== undefined || entry.meta.originLastModified !== undefined),
  };
}
