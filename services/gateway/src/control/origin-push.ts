/**
 * Origin push (README, Active caching; the write-through of an origin that knows when a page
 * changed): a full representation published on `cache.push` is stored by every gateway as if
 * it had fetched it at that moment. It runs the stages a fill does (route, key, rule, the
 * store decision on the pushed status and fields), and records the invalidation sequence
 * applied on arrival as its fillSeq, so an invalidation published after it still wins. Each
 * gateway receives the push itself: it is not replicated. One worker of a node receives it.
 */
import { Readable } from 'node:stream';
import { decodeMessage, originPushSchema, subjects, type Logger, type OriginPush } from '@cairn/shared';
import type { NatsConnection, Subscription } from 'nats';
import type { GatewayContext } from '../context.js';
import { Exchange } from '../flow/exchange.js';
import type { Fetched } from '../flow/fetch.js';
import { key } from '../flow/key.js';
import { routeRequest } from '../flow/recv.js';
import { rule } from '../flow/rule.js';
import { storeDecision, writeEntry } from '../flow/store.js';
import { isVariant, variantKey } from '../store/variants.js';

export type PushResult = 'stored' | 'too-large' | 'malformed' | 'not-cacheable' | 'unwritable';

export class OriginPushes {
  readonly #nc: NatsConnection;
  readonly #gatewayId: string;
  readonly #logger: Logger;
  #subscription: Subscription | undefined;

  constructor(nc: NatsConnection, gatewayId: string, logger: Logger) {
    this.#nc = nc;
    this.#gatewayId = gatewayId;
    this.#logger = logger;
  }

  start(context: GatewayContext): void {
    this.#subscription = this.#nc.subscribe(subjects.originPush, {
      queue: subjects.nodeQueue(this.#gatewayId),
      callback: (err, msg) => {
        if (err !== null) return this.#logger.warn({ err }, 'origin push subscription failed');
        let result: PushResult;
        let detail: string | undefined;
        // nats.js does not guard its callbacks: a throw here would stop this connection's reads.
        try {
          if (msg.data.length > context.env.ORIGIN_PUSH_MAX_BYTES) {
            result = 'too-large';
            detail = `${msg.data.length} bytes, over ORIGIN_PUSH_MAX_BYTES (${context.env.ORIGIN_PUSH_MAX_BYTES})`;
          } else {
            const decoded = decodeMessage(originPushSchema, msg.data);
            if (decoded.ok) ({ result, detail } = storePush(context, decoded.value));
            else ({ result, detail } = { result: 'malformed', detail: decoded.error });
          }
        } catch (err) {
          this.#logger.error({ err }, 'storing an origin push failed');
          ({ result, detail } = { result: 'unwritable', detail: 'internal error' });
        }
        context.metrics.originPushes.inc({ result });
        if (result === 'stored') this.#logger.debug({ bytes: msg.data.length }, 'origin push stored');
        else this.#logger.warn({ result, problem: detail, bytes: msg.data.length }, 'origin push not stored');
      },
    });
  }

  stop(): void {
    this.#subscription?.unsubscribe();
  }
}

/** Stores a pushed representation as a fill of its URL would be stored. */
export function storePush(context: GatewayContext, push: OriginPush): { result: PushResult; detail?: string } {
  const now = Date.now();
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(push.requestHeaders)) headers[name.toLowerCase()] = value;
  const apiHeader = context.cacheConfig.apiHeader;
  if (push.cache === 'api' && apiHeader !== undefined) headers[apiHeader.key] = apiHeader.value;
  const exchange = new Exchange('GET', push.url, headers, Readable.from([]), now);
  exchange.replicates = false;
  const route = routeRequest(exchange, context);
  if (push.cache !== undefined && push.cache !== route.cache) return { result: 'not-cacheable', detail: `the URL is routed to the ${route.cache} cache` };
  if (context.reservedPaths.has(exchange.rawPath)) return { result: 'not-cacheable', detail: 'a reserved path' };
  key(exchange, route);
  if (rule(exchange, context).kind === 'pass') return { result: 'not-cacheable', detail: exchange.reason };
  const fields: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(push.headers)) fields[name.toLowerCase()] = value;
  const body = Buffer.from(push.body, push.bodyEncoding);
  fields['content-length'] = String(body.length);
  const fetched: Fetched = {
    status: push.status,
    headers: fields,
    body: Readable.from([]),
    signal: new AbortController().signal,
    // As a fill that began on arrival: an invalidation applied after this wins over it.
    fillSeq: context.invalidations.appliedSeq,
    fillEpoch: context.invalidations.epoch,
    conditional: false,
    requestTime: now,
    responseTime: now,
  };
  const decision = storeDecision(exchange, context, route, fetched);
  if (!decision.store) return { result: decision.reason === 'store-unwritable' ? 'unwritable' : 'not-cacheable', detail: decision.reason };
  if (body.length > context.env.MAX_ENTRY_BYTES) return { result: 'too-large', detail: `body over MAX_ENTRY_BYTES (${context.env.MAX_ENTRY_BYTES})` };
  const entry = writeEntry(exchange, context, route, fetched, body, decision.lifetimeMs, now);
  if (entry === undefined) return { result: 'unwritable', detail: exchange.notStoredReason };
  context.fills.clearHitForMiss(isVariant(entry.meta) ? variantKey(exchange.urlKey, entry.meta.variantId) : exchange.urlKey);
  return { result: 'stored' };
}
