/**
 * deliver: writes the answer with `x-cairn-cache` (the recorded outcome), RFC 9211
 * `Cache-Status`, `Age` on answers from the store, `X-Request-Id` when the request has one,
 * and the debug headers of docs/request-flow.md when asked for (and allowed); withholds the
 * tag header unless exposed; counts the cache, outcome and reason. The gateway's headers are
 * set after the response's own, so they always win (issue 9). An answer from the store
 * is a 304 when the client's conditional matches its validators; only a conditional
 * request ever gets one. A complete body answers a GET's Range (flow/deliver-range.ts).
 */
import type { Readable } from 'node:stream';
import { BASIC_CHALLENGE, headers as cairnHeaders, type ErrorBody } from '@cairn/shared';
import type { GatewayContext } from '../context.js';
import { AuthRefusedError, OriginBusyError, originErrorReason, UnauthorizedError } from '../errors.js';
import { currentAgeMs } from '../http/age.js';
import { formatCacheStatus, type CacheStatus, type ForwardReason } from '../http/cache-status.js';
import { notModified } from '../http/conditional.js';
import { safeFieldValue } from '../http/field-value.js';
import { CACHE_STATUS_HEADER, isGatewayOwned } from '../http/gateway-headers.js';
import { REQUEST_ID_HEADER } from '../http/request-id.js';
import type { CacheEntry } from '../store/cache-entry.js';
import { sendBody } from './deliver-range.js';
import type { Exchange } from './exchange.js';
import { errorAnswer, rawAnswer } from './error-answer.js';
import { hitFields } from './hit-fields.js';
import type { DecisionReason, ErrorReason } from './outcome.js';
import type { Reply } from './reply.js';

/**
 * Headers a 304 repeats from the full response (RFC 9110 §15.4.5), and Set-Cookie: stored
 * entries never hold one, but the one-off answer to a revalidation whose 304 set a cookie
 * does, and that client must get it whatever the status.
 */
const NOT_MODIFIED_HEADERS = ['cache-control', 'content-location', 'date', 'etag', 'expires', 'last-modified', 'vary', 'set-cookie'];

function forwardReason(exchange: Exchange): ForwardReason {
  switch (exchange.reason) {
    case 'absent':
    case 'hit-for-miss':
      return 'uri-miss';
    case 'expired':
    case 'revalidated':
    case 'soft-invalidated':
      return 'stale';
    case 'request-no-cache':
    case 'request-max-age':
    case 'request-min-fresh':
      return 'request';
    case 'feed-lost':
    case 'retention-expired':
      return 'stale';
    case 'method':
      return 'method';
    case 'invalidated':
      return 'miss';
    default:
      return 'bypass';
  }
}

function remainingSeconds(entry: CacheEntry | undefined, now: number): number | undefined {
  if (entry === undefined || entry.meta.expiresAt === 0) return undefined;
  return Math.floor((entry.meta.expiresAt - now) / 1000);
}

/** only-if-cached with nothing usable, and a PURGE: nothing went forward. */
const ANSWERED_HERE: ReadonlySet<DecisionReason> = new Set(['only-if-cached', 'purge']);

function cacheStatus(exchange: Exchange, entry: CacheEntry | undefined, now: number): CacheStatus {
  const detail = exchange.notStoredReason === undefined ? exchange.reason : `${exchange.reason}:${exchange.notStoredReason}`;
  if (exchange.outcome === 'HIT' || exchange.outcome === 'STALE') return { hit: true, ttlSeconds: remainingSeconds(entry, now), detail };
  // Answers the gateway made without asking anyone: no `fwd` (RFC 9211 §2.2).
  if (ANSWERED_HERE.has(exchange.reason)) return { hit: false, detail };
  return {
    hit: false,
    fwd: forwardReason(exchange),
    fwdStatus: exchange.forwardStatus,
    stored: exchange.storing,
    collapsed: exchange.collapsed,
    // Freshness is the stored entry's: an answer that was not stored has none to report.
    ttlSeconds: !exchange.storing ? undefined : entry === undefined ? exchange.storedTtlSeconds : remainingSeconds(entry, now),
    detail,
  };
}

/** Paths, keys and rule text are admin- or client-supplied: sent as http/field-value.ts encodes them. */
function debugHeaders(exchange: Exchange, reply: Reply, entry: CacheEntry | undefined, now: number): void {
  reply.header(cairnHeaders.debugPath, safeFieldValue(exchange.path));
  reply.header(cairnHeaders.debugKey, safeFieldValue(exchange.key));
  const match = exchange.match;
  if (match !== undefined) {
    reply.header(cairnHeaders.debugRule, safeFieldValue(match.rule.description || match.rule.id));
    reply.header(cairnHeaders.debugRuleId, safeFieldValue(match.rule.id));
    reply.header(cairnHeaders.debugPattern, safeFieldValue(match.pattern));
    // The index bucket the rule was found in: its literal prefix that starts this path.
    const bucket = match.prefixes?.find((prefix) => exchange.path.startsWith(prefix));
    reply.header(cairnHeaders.debugBucket, bucket === undefined ? '*' : safeFieldValue(JSON.stringify(bucket)));
    reply.header(cairnHeaders.debugPolicy, match.ttl.kind);
    reply.header(cairnHeaders.debugTtl, safeFieldValue(match.rule.ttl));
  }
  const remaining = remainingSeconds(entry, now);
  if (remaining !== undefined) reply.header(cairnHeaders.debugTtlRemaining, String(Math.max(0, remaining)));
}

/** Debug headers name keys and rules: with access control on, only for cache_admin/super_user (README, Access control). */
function mayDebug(exchange: Exchange, context: GatewayContext): boolean {
  return context.auth === undefined || exchange.principal?.admin === true;
}

function debugAsked(exchange: Exchange, context: GatewayContext): boolean {
  return context.env.DEBUG_HEADERS && exchange.headers[cairnHeaders.debug] === 'true' && mayDebug(exchange, context);
}

function count(exchange: Exchange, context: GatewayContext): void {
  context.metrics.requests.inc(exchange.route?.cache ?? 'page', exchange.outcome, exchange.reason);
  if (exchange.collapsed) context.metrics.collapsed.inc();
}

function finish(exchange: Exchange, context: GatewayContext, reply: Reply, entry: CacheEntry | undefined, now: number): void {
  reply.header(cairnHeaders.cache, exchange.outcome);
  reply.header(CACHE_STATUS_HEADER, formatCacheStatus(cacheStatus(exchange, entry, now)));
  if (exchange.requestId !== '') reply.header(REQUEST_ID_HEADER, exchange.requestId);
  if (debugAsked(exchange, context)) debugHeaders(exchange, reply, entry, now);
  count(exchange, context);
}

/**
 * A HIT or STALE sent whole, on a reply nothing was set on yet: its fields are the
 * entry's precomputed list (flow/hit-fields.ts), the same fields as the general path
 * below writes, without building them per answer.
 */
function isPlainHit(exchange: Exchange, context: GatewayContext, reply: Reply, entry: CacheEntry): boolean {
  if (exchange.outcome !== 'HIT' && exchange.outcome !== 'STALE') return false;
  if (exchange.notStoredReason !== undefined || !reply.bare) return false;
  if (entry.meta.status === 200 && exchange.headers.range !== undefined && exchange.method === 'GET') return false;
  return !debugAsked(exchange, context);
}

/**
 * An answer from the store (HIT, STALE, a revalidated entry, or a waiter's shared fill).
 * Stored headers were cleaned when stored (http/stored-fields.ts), so the hit copies them
 * as they are; the gateway's own follow and replace any an older entry may still hold.
 */
export function deliverEntry(exchange: Exchange, context: GatewayContext, reply: Reply, entry: CacheEntry, now: number): Reply {
  const headers = entry.meta.headers;
  const etag = headers.etag;
  const lastModified = headers['last-modified'];
  const unchanged = entry.meta.status === 200 && typeof etag === 'string' && typeof lastModified === 'string' && notModified(exchange.headers, { etag, lastModified });
  const ageSeconds = Math.floor(currentAgeMs(entry.meta, now) / 1000);
  if (!unchanged && isPlainHit(exchange, context, reply, entry)) {
    count(exchange, context);
    const fields = hitFields(entry, exchange.outcome, exchange.reason, ageSeconds, remainingSeconds(entry, now), exchange.requestId, context.notCopiedOnHit);
    return reply.sendFields(entry.meta.status, fields, entry.body);
  }
  if (unchanged) {
    for (const name of NOT_MODIFIED_HEADERS) if (headers[name] !== undefined) reply.header(name, headers[name]);
  } else {
    reply.headers(headers);
    for (const name of context.withheldFields) reply.removeHeader(name);
  }
  reply.header('age', String(ageSeconds));
  finish(exchange, context, reply, entry, now);
  // RFC 9110 §13.2.2: a matching If-None-Match / If-Modified-Since wins before Range.
  return unchanged ? reply.code(304).send() : sendBody(exchange, context, reply, entry.meta.status, headers, entry.body);
}

/**
 * An answer straight from the origin: a MISS being filled (streaming or read whole) or a
 * pass. The origin's own `x-cairn-*` and `Cache-Status` are left out: only the gateway
 * says what it did. (RFC 9211 §2 asks caches to keep upstream Cache-Status members; an
 * origin's cannot be told from a forged one here, so they are dropped.)
 */
export function deliverResponse(
  exchange: Exchange,
  context: GatewayContext,
  reply: Reply,
  status: number,
  headers: Record<string, string | string[]>,
  body: Readable | Buffer,
  now: number,
): Reply {
  const synthetic = context.env.LOAD_TEST_MODE;
  const withheld = context.withheldFields;
  for (const name in headers) if (!isGatewayOwned(name, synthetic) && !withheld.has(name)) reply.header(name, headers[name] as string | string[]);
  // A buffer's length is set from the buffer itself.
  if (Buffer.isBuffer(body)) reply.removeHeader('content-length');
  finish(exchange, context, reply, undefined, now);
  // A buffer is a fill's answer read whole: its Range is answered from it like a hit's.
  return Buffer.isBuffer(body) ? sendBody(exchange, context, reply, status, headers, body) : reply.code(status).send(body);
}

/** `Cache-Control: only-if-cached` and nothing usable stored: 504, origin untouched (RFC 9111 §5.2.1.7). */
export function deliverNotCached(exchange: Exchange, context: GatewayContext, reply: Reply, now: number): Reply {
  return deliverOwnAnswer(exchange, context, reply, 504, { error: 'CAIRN_NOT_CACHED', message: 'only-if-cached: no fresh stored response' }, now);
}

/** A successful answer the gateway made itself (a PURGE's report, only-if-cached's 504): marked and counted like every answer. */
export function deliverOwnAnswer(exchange: Exchange, context: GatewayContext, reply: Reply, status: number, body: object, now: number): Reply {
  finish(exchange, context, reply, undefined, now);
  return reply.code(status).send(body);
}

/**
 * An answer the gateway makes itself for an error (README, Answers the gateway makes itself): 400, 499, 500, 502, 503,
 * 504. Marked like every other answer (`x-cairn-cache` with the exchange's outcome, or PASS
 * before there is one; Cache-Status with the error's reason as `detail`) and counted; its
 * body never names the origin, whose address goes to the log. An answer already under way
 * cannot be replaced: the error is thrown back to the proxy server, which destroys the response.
 */
export function deliverError(exchange: Exchange | undefined, context: GatewayContext, reply: Reply, err: unknown): Reply {
  if (reply.started) throw err;
  const answer = errorAnswer(err);
  const outcome = exchange?.outcome ?? 'PASS';
  const origin = originErrorReason(err);
  if (origin !== undefined) context.metrics.originErrors.inc({ reason: origin });
  const log = context.logger;
  if (answer.reason === 'internal-error') log.error({ err, url: reply.url, method: exchange?.method }, 'request failed');
  // Paired with cairn_gateway_origin_errors_total / _origin_queue_rejections_total; a waiter's copy of a failure is not logged again.
  else if (origin !== undefined || err instanceof OriginBusyError) log.warn({ err, url: reply.url, key: exchange?.key, origin: answer.origin, reason: answer.reason }, 'origin request failed');
  else log.debug({ err, url: reply.url, origin: answer.origin, reason: answer.reason }, 'request answered by the gateway');
  // Whatever an origin answer had set before it failed is not part of this one.
  reply.clearHeaders();
  // RFC 9110 §11.6.1: a 401 carries the challenge; RFC 6585 §4: a 429 says when to retry.
  if (err instanceof UnauthorizedError) reply.header('www-authenticate', BASIC_CHALLENGE);
  else if (err instanceof AuthRefusedError) reply.header('retry-after', String(err.retryAfterSeconds));
  reply.header(cairnHeaders.cache, outcome);
  if (exchange !== undefined && exchange.requestId !== '') reply.header(REQUEST_ID_HEADER, exchange.requestId);
  reply.header(
    CACHE_STATUS_HEADER,
    formatCacheStatus({
      hit: false,
      fwd: answer.forwarded && exchange !== undefined ? forwardReason(exchange) : undefined,
      fwdStatus: exchange?.forwardStatus,
      collapsed: exchange?.collapsed,
      detail: answer.reason,
    }),
  );
  context.metrics.requests.inc(exchange?.route?.cache ?? 'page', outcome, answer.reason);
  reply.errorOutcome = outcome;
  reply.errorReason = answer.reason;
  return reply.code(answer.status).send(answer.body);
}

/** The same for a connection with no reply (node's parser refused it, or CONNECT): the raw bytes to write. */
export function rawErrorAnswer(context: GatewayContext, status: number, body: ErrorBody, reason: ErrorReason): string {
  context.metrics.requests.inc('page', 'PASS', reason);
  return rawAnswer(status, body, [
    [cairnHeaders.cache, 'PASS'],
    [CACHE_STATUS_HEADER, formatCacheStatus({ hit: false, detail: reason })],
  ]);
}
