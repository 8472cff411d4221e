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
import { OriginUnavailableError } from '../errors.js';
import { watchClient } from '../origin/client-abort.js';
import { fillHeaders, passHeaders, responseHeaders } from '../origin/forward-headers.js';
import { relayEarlyHints } from '../origin/early-hints.js';
import { abandonBody } from '../origin/origin-pool.js';
import { fillTarget, replacePath } from '../origin/upstream-target.js';
import { REQUEST_ID_HEADER } from '../http/request-id.js';
import type { Exchange } from './exchange.js';

export interface Fetched {
  status: number;
  headers: Record<string, string | string[]>;
  body: Readable;
  signal: AbortSignal;
  /** The invalidation sequence applied when the request began (README, Invalidation). */
  fillSeq: number;
  /** The invalidation feed's epoch when the request began; fillSeq means nothing in another. */
  fillEpoch: number;
  /** The request was conditional on the stale entry's validators (a 304 refreshes it). */
  conditional: boolean;
  /** RFC 9111 §4.2.3 request_time / response_time (wall-clock ms), for the response's age. */
  requestTime: number;
  responseTime: number;
}

/**
 * The origin request's signal: the outer deadline, and a pass's client going away. One
 * controller and a timer rather than AbortSignal.any, whose timeout source Node 20 holds
 * only weakly: after a garbage collection the deadline never fired (nodejs/node#57736), and
 * a body nobody read kept its origin connection for good.
 */
function requestSignal(timeoutMs: number, clientGone: AbortSignal | undefined): { signal: AbortSignal; done: () => void } {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')), timeoutMs);
  clientGone?.addEventListener('abort', () => controller.abort(clientGone.reason), { once: true });
  return { signal: controller.signal, done: () => clearTimeout(timer) };
}

export async function fetchOrigin(exchange: Exchange, context: GatewayContext, route: Route, mode: 'fill' | 'pass'): Promise<Fetched> {
  // Read before the request leaves: an invalidation applied after this point has a
  // higher sequence and so wins over whatever the origin answers.
  const fillSeq = context.invalidations.appliedSeq;
  const fillEpoch = context.invalidations.epoch;
  const fill = mode === 'fill';
  const peer = { address: exchange.peerAddress, httpVersion: exchange.response?.req.httpVersion ?? '1.1' };
  const headers = fill ? fillHeaders(exchange.headers, route, peer) : passHeaders(exchange.headers, route, peer);
  // The origin's log can then be joined with the gateway's; a refused client id is replaced here too.
  headers[REQUEST_ID_HEADER] = exchange.requestId === '' ? (exchange.requestId = context.requestIds.next()) : exchange.requestId;
  const entry = fill ? exchange.entry : undefined;
  // Only an entry no hard purge up to fillSeq applies to may be revalidated (a soft purge
  // asks for exactly that): a 304 then vouches for it as of fillSeq, and an invalidation
  // that lands meanwhile still wins.
  const conditional = entry !== undefined && context.invalidations.map.verdict(entry.meta, fillSeq) !== Verdict.Hard;
  if (conditional && entry.meta.originEtag !== undefined) headers['if-none-match'] = entry.meta.originEtag;
  if (conditional && entry.meta.originLastModified !== undefined) headers['if-modified-since'] = entry.meta.originLastModified;
  if (!exchange.clientWatched && exchange.response !== undefined) {
    exchange.clientWatched = true;
    exchange.clientGone = watchClient(exchange.response, context.metrics, !fill);
  }
  const { signal, done } = requestSignal(context.env.REQUEST_TIMEOUT_MS, exchange.clientGone);
  const body = fill || exchange.method === 'GET' || exchange.method === 'HEAD' ? undefined : exchange.body;
  const stopTimer = context.metrics.originFetchSeconds.startTimer({ cache: route.cache });
  let response;
  const requestTime = Date.now();
  try {
    response = await route.origin.request({
      method: fill ? 'GET' : exchange.method,
      // Built only when the origin is asked (a HIT never needs them). A fill sends what the
      // key describes; a pass the client's target; both after the route's path replacement.
      path: fill ? fillTarget(exchange.canonicalPath, exchange.keyedQuery, route) : replacePath(exchange.url, route),
      headers,
      body,
      signal,
      // Only a body about to be forwarded is asked for (RFC 9110 §10.1.1): an answer made
      // without it (refused, queue full) leaves it unsent, and node closes the connection.
      beforeSend: body === undefined ? undefined : exchange.sendContinue,
      // A pass's or a fill leader's client, while its answer has not begun (a background
      // refresh's client has had its answer; waiters and hits never reach the origin).
      onInfo: exchange.response === undefined ? undefined : relayEarlyHints(exchange.response, context.metrics, context.logger),
    });
  } catch (err) {
    done();
    throw err;
  }
  stopTimer();
  const responseTime = Date.now();
  response.body.once('close', done);
  if (response.statusCode < 100 || response.statusCode > 599) {
    // Not an HTTP status (RFC 9110 §15): answered 502, and the connection given back.
    abandonBody(response.body);
    throw new OriginUnavailableError(route.origin.origin, new Error(`invalid status ${response.statusCode}`));
  }
  exchange.forwardStatus = response.statusCode;
  return {
    status: response.statusCode,
    headers: responseHeaders(response.headers),
    body: response.body,
    signal,
    fillSeq,
    fillEpoch,
    conditional: conditional && (entry.meta.originEtag !== undefined || entry.meta.originLastModified !== undefined),
    requestTime,
    responseTime,
  };
}
