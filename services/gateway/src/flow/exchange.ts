/**
 * The per-request record the stages fill in. Every field is set in the constructor so
 * its shape is stable and a hit allocates one object.
 */
import type { Principal, RuleMatch } from '@cairn/shared';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import type { Route } from '../context.js';
import { requestDirectives, type RequestDirectives } from '../http/request-directives.js';
import { acceptedRequestId, REQUEST_ID_HEADER } from '../http/request-id.js';
import type { CacheEntry } from '../store/cache-entry.js';
import type { CacheOutcome, DecisionReason } from './outcome.js';

export class Exchange {
  readonly method: string;
  /** The request target as received (origin-form: path and query). */
  readonly url: string;
  /** The target's path as received, before normalization. */
  readonly rawPath: string;
  /** The raw query string without `?`, or ''. With `headers` this is what rule conditions read. */
  readonly query: string;
  readonly headers: IncomingHttpHeaders;
  /** The request body stream, consumed only when proxying an unsafe method. */
  readonly body: Readable;
  readonly startedAt: number;
  route: Route | undefined = undefined;
  /** The client's Cache-Control (or Pragma) request directives; REQUEST_CACHE_CONTROL decides which count. */
  readonly directives: RequestDirectives;
  /** Normalized path seen by rules (README, Rules). */
  path = '';
  /** The same with its trailing slash kept, as the key and a fill use it (docs/request-flow.md). */
  canonicalPath = '';
  /** The query the key holds (only keyed parameters, in key order): the fill's and the url index's. */
  keyedQuery = '';
  /** The URL's key; a variant marker stored there names the variant key (store/variants.ts). */
  urlKey = '';
  /** The key of the entry this request reads, fills and coalesces on: the URL key or its variant's. */
  key = '';
  match: RuleMatch | undefined = undefined;
  entry: CacheEntry | undefined = undefined;
  outcome: CacheOutcome = 'PASS';
  reason: DecisionReason = 'no-rule';
  /** Why a fetched response was not stored, when it was not. */
  notStoredReason: DecisionReason | undefined = undefined;
  /** The origin's status when the origin was asked (Cache-Status fwd-status). */
  forwardStatus: number | undefined = undefined;
  /** The response is being stored (Cache-Status `stored`). */
  storing = false;
  /** The answer came from another request's origin fetch (Cache-Status `collapsed`). */
  collapsed = false;
  /** WORKERS > 1: the node's fill lease this request's fill holds (flow/shared-fill.ts); 0 for none. */
  fillLease = 0;
  /** Seconds of freshness the stored answer gets (Cache-Status `ttl` on a MISS). */
  storedTtlSeconds: number | undefined = undefined;
  /** The client's response stream, watched while the origin is involved (client aborts, #9). */
  response: ServerResponse | undefined = undefined;
  /** The response is watched once, however many origin requests it takes (a 304 refetch). */
  clientWatched = false;
  clientGone: AbortSignal | undefined = undefined;
  /** Tells a client waiting on `Expect: 100-continue` to send its body; undefined when none waits. */
  sendContinue: (() => void) | undefined = undefined;
  /** Who the request was authenticated as (recv); undefined with AUTH_REQUIRED=false and on reserved paths. */
  principal: Principal | undefined = undefined;
  /**
   * A stored fill is offered to peers (fill replication); not for an origin push, which
   * every gateway receives itself.
   */
  replicates = true;
  /** The warming (POST /cache/warm) this request fills for, so peers that store it confirm it. */
  warmId: string | undefined = undefined;
  /** The client's address as the socket has it (X-Forwarded-For to the origin); '' when unknown. */
  readonly peerAddress: string;
  /**
   * X-Request-Id: the client's when acceptable (http/request-id.ts), else '' until one is
   * made: for the access log, a refused client id, or an origin request (proxy-server.ts, fetch.ts).
   */
  requestId: string;

  constructor(method: string, url: string, headers: IncomingHttpHeaders, body: Readable, startedAt: number, peerAddress = '') {
    this.method = method;
    this.peerAddress = peerAddress;
    this.url = url;
    const q = url.indexOf('?');
    this.rawPath = q === -1 ? url : url.slice(0, q);
    this.query = q === -1 ? '' : url.slice(q + 1);
    this.headers = headers;
    this.directives = requestDirectives(headers['cache-control'], headers.pragma);
    this.body = body;
    this.startedAt = startedAt;
    this.requestId = acceptedRequestId(headers[REQUEST_ID_HEADER]);
  }

  decide(outcome: CacheOutcome, reason: DecisionReason): void {
    this.outcome = outcome;
    this.reason = reason;
  }
}
