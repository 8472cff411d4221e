/**
 * fill: one origin fetch for a key, shared by every request that misses on it meanwhile.
 * The leader's client gets the body as it arrives (a large or slow origin body is not
 * buffered first); the fill reads the origin to the end whether or not that client stays,
 * keeps up to MAX_ENTRY_BYTES, and stores the body only when it arrived complete and
 * within the limit. Waiters get the complete answer when it is there.
 */
import { PassThrough, type Readable } from 'node:stream';
import type { GatewayContext, Route } from '../context.js';
import { OriginUnavailableError, originErrorReason } from '../errors.js';
import { selectsStored } from '../http/conditional.js';
import { storedFields } from '../http/stored-fields.js';
import { CDN_CACHE_CONTROL } from '../http/targeted-cache-control.js';
import type { CacheEntry } from '../store/cache-entry.js';
import type { Exchange } from './exchange.js';
import { fetchOrigin, type Fetched } from './fetch.js';
import type { FillResult } from './fill-registry.js';
import type { DecisionReason } from './outcome.js';
import { arrival, refreshEntry, storeDecision, variantOf, writeEntry, type StoreDecision } from './store.js';

/** What the leading request delivers. */
export type LeaderAnswer =
  /** A 304 to the revalidation: the refreshed entry. */
  | { kind: 'revalidated'; entry: CacheEntry }
  /** The origin's answer, streaming. */
  | { kind: 'streaming'; fetched: Fetched; body: Readable }
  /** A small answer (declared length within SMALL_BODY_BYTES), read whole: sent like a hit. */
  | { kind: 'buffered'; fetched: Fetched; body: Buffer };

/**
 * Bodies up to this declared length are read whole before the leader answers: streaming
 * them would gain nothing (the completing chunk waits for the store anyway) and costs a
 * stream pipeline per fill; an origin failure can then still become a clean 502/504.
 */
const SMALL_BODY_BYTES = 64 * 1024;

/** Answers that belong to one client and so are never handed to waiters. */
const PER_CLIENT: ReadonlySet<DecisionReason> = new Set(['set-cookie', 'origin-private', 'request-no-store']);

/** Answers worth remembering as hit-for-miss: the origin will most likely answer alike. */
const HIT_FOR_MISS: ReadonlySet<DecisionReason> = new Set(['not-storable-status', 'set-cookie', 'origin-private', 'vary-not-in-key', 'no-freshness', 'too-large']);

interface Drained {
  /** The whole body, when it arrived complete and within the limit. */
  buffer: Buffer | undefined;
  reason: DecisionReason | undefined;
  /** The origin failed while sending the body. */
  error?: unknown;
  /** The body's last chunk, not yet sent to the client. */
  last?: Buffer | undefined;
}

/**
 * With workers, the client's next request may reach another worker, which reads only what
 * LMDB has committed. Under the node's fill lease the answer need not wait for the commit:
 * a sibling that misses meanwhile joins the lease, which ends once the entry committed, and
 * answers it as a HIT (flow/shared-fill.ts). A stored fill without a lease ends its answer
 * only once the entry is committed (store.flushed), so that request is a HIT as well.
 */
function awaitsCommit(exchange: Exchange, context: GatewayContext): boolean {
  return context.workerLink !== undefined && exchange.fillLease === 0;
}

/** Ends the client's copy with the held-back chunk, unless the client is gone. */
function finish(client: PassThrough | undefined, last: Buffer | undefined): void {
  if (client !== undefined && !client.destroyed) client.end(last);
}

/**
 * Writes a chunk to the client's copy. While the body is being kept (within the entry
 * limit) the chunk is in memory anyway, so a slow or stalled client never holds the fill
 * back: waiters, and everyone who joins, get the answer when the origin has sent it. Past
 * the limit nothing is kept, so the client's backpressure paces the origin read, until
 * the client leaves or the origin request ends (its deadline).
 */
async function write(client: PassThrough, chunk: Buffer, paced: boolean, signal: AbortSignal): Promise<void> {
  if (client.destroyed || client.write(chunk) || !paced || signal.aborted) return;
  await new Promise<void>((resolve) => {
    const done = () => {
      client.off('drain', done);
      client.off('close', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    client.on('drain', done);
    client.on('close', done);
    signal.addEventListener('abort', done);
  });
}

/**
 * Copies the origin body to `client` as it arrives (honouring its backpressure only past
 * `limit`, see `write`) and keeps up to `limit` bytes. The origin is read to the end even after
 * the client is gone; an origin failure ends the client's response with an error.
 *
 * With a Content-Length, the chunk that completes it is held back and returned: the
 * caller sends it once the entry is written, so a client that has the whole response
 * and asks again finds the entry. (Without one, the caller's end does the same.)
 */
async function drain(fetched: Fetched, client: PassThrough | undefined, limit: number): Promise<Drained> {
  const chunks: Buffer[] = [];
  let length = 0;
  let tooLarge = false;
  let last: Buffer | undefined;
  const declared = Number(fetched.headers['content-length'] ?? NaN);
  let received = 0;
  try {
    for await (const chunk of fetched.body as AsyncIterable<Buffer>) {
      received += chunk.length;
      if (!tooLarge) {
        length += chunk.length;
        if (length > limit) {
          tooLarge = true;
          chunks.length = 0;
        } else {
          chunks.push(chunk);
        }
      }
      if (client === undefined) continue;
      if (last !== undefined) await write(client, last, tooLarge, fetched.signal);
      last = undefined;
      if (received >= declared) last = chunk;
      else await write(client, chunk, tooLarge, fetched.signal);
    }
  } catch (err) {
    client?.destroy(err as Error);
    return { buffer: undefined, reason: 'aborted', error: err };
  }
  return { buffer: tooLarge ? undefined : Buffer.concat(chunks, length), reason: tooLarge ? 'too-large' : undefined, last };
}

/** A complete answer that was not stored, in the shape waiters deliver. */
function unstoredEntry(fetched: Fetched, body: Buffer, exchange: Exchange, context: GatewayContext, route: Route): CacheEntry {
  // Handed to waiters like a stored entry: without the fields a stored response never keeps.
  const headers = storedFields(fetched.headers, context.env.LOAD_TEST_MODE);
  if (!context.env.FORWARD_CDN_CACHE_CONTROL) delete headers[CDN_CACHE_CONTROL];
  return {
    meta: {
      status: fetched.status,
      headers,
      originEtag: undefined,
      originLastModified: undefined,
      noStale: true,
      cache: route.cache,
      ruleId: exchange.match?.rule.id ?? '',
      groupCode: undefined,
      tags: [],
      url: exchange.url,
      urlPath: exchange.path,
      urlQueryKey: exchange.path,
      // Dated by its arrival, so a waiter's Age is the leader's (RFC 9111 §4.2.3).
      storedAt: fetched.responseTime,
      expiresAt: fetched.responseTime,
      initialAgeMs: arrival(fetched).initialAgeMs,
      fillSeq: fetched.fillSeq,
      // Waiters whose values of the Vary fields differ cannot take it (request-flow.ts).
      ...variantOf(exchange, route, fetched.headers.vary),
    },
    body,
  };
}

/** A 304 updated the stored entry: waiters share the result unless it belongs to this client. */
async function revalidated(
  exchange: Exchange,
  context: GatewayContext,
  route: Route,
  entry: CacheEntry,
  fetched: Fetched,
  now: number,
  settle: (result: FillResult) => void,
): Promise<LeaderAnswer> {
  // A failure to write or remove is thrown: the caller settles the waiters with it.
  const { entry: updated, notStored, dropped } = await refreshEntry(exchange, context, route, entry, fetched);
  exchange.storing = notStored === undefined;
  exchange.notStoredReason = notStored;
  if (dropped) context.fills.markHitForMiss(exchange.key, Date.now());
  const shareable = notStored === undefined || !PER_CLIENT.has(notStored);
  settle(shareable ? { kind: 'entry', entry: updated, stored: exchange.storing } : { kind: 'unshared' });
  return { kind: 'revalidated', entry: updated };
}

/** fetch asks conditionally for the exchange's stored entry; without it, for the full response. */
async function fetchUnconditionally(exchange: Exchange, context: GatewayContext, route: Route, settle: (result: FillResult) => void): Promise<Fetched> {
  const entry = exchange.entry;
  exchange.entry = undefined;
  try {
    return await fetchOrigin(exchange, context, route, 'fill');
  } catch (err) {
    settle({ kind: 'error', error: err });
    throw err;
  } finally {
    exchange.entry = entry;
  }
}

/**
 * Runs the fill for `exchange.key`. Resolves with what the leader delivers; `settle`
 * receives what waiters get once the body is complete (or the fetch failed). Throws the
 * origin's error after settling it for the waiters.
 */
export async function fill(exchange: Exchange, context: GatewayContext, route: Route, now: number, settle: (result: FillResult) => void): Promise<LeaderAnswer> {
  let fetched: Fetched;
  try {
    fetched = await fetchOrigin(exchange, context, route, 'fill');
  } catch (err) {
    settle({ kind: 'error', error: err });
    throw err;
  }
  const entry = exchange.entry;
  if (fetched.status === 304 && fetched.conditional && entry !== undefined) {
    fetched.body.resume();
    if (selectsStored(entry.meta, fetched.headers)) return revalidated(exchange, context, route, entry, fetched, now, settle);
    // RFC 9111 §4.3.4: a 304 naming another representation updates nothing; ask again, unconditionally.
    context.metrics.revalidationRefetches.inc();
    fetched = await fetchUnconditionally(exchange, context, route, settle);
  }
  const decision: StoreDecision = storeDecision(exchange, context, route, fetched);
  exchange.storing = decision.store;
  if (decision.store && decision.lifetimeMs !== Infinity) exchange.storedTtlSeconds = Math.floor(decision.lifetimeMs / 1000);
  if (!decision.store) exchange.notStoredReason = decision.reason;
  const declared = Number(fetched.headers['content-length'] ?? NaN);
  const small = declared <= Math.min(SMALL_BODY_BYTES, context.env.MAX_ENTRY_BYTES);
  const client = small ? undefined : new PassThrough();
  /** Returns whether the entry was stored. */
  const complete = ({ buffer, reason, error, last }: Drained): boolean => {
    // A failed small body is thrown to the leader (and counted there); a streamed one is counted here.
    const failure = error === undefined || client === undefined ? undefined : originErrorReason(route.origin.classify(error, fetched.signal));
    if (failure !== undefined) context.metrics.originErrors.inc({ reason: failure });
    const notStored = decision.store ? reason : decision.reason;
    const stored = buffer !== undefined && decision.store ? writeEntry(exchange, context, route, fetched, buffer, decision.lifetimeMs, now) : undefined;
    if (stored !== undefined) {
      context.fills.clearHitForMiss(exchange.key);
      // Before the answer ends: under a lease, this tells the node the entry is committing.
      settle({ kind: 'entry', entry: stored, stored: true });
      if (awaitsCommit(exchange, context)) {
        void context.store.flushed().then(
          () => finish(client, last),
          () => finish(client, last),
        );
      } else {
        finish(client, last);
      }
      return true;
    }
    finish(client, last);
    if (notStored !== undefined && HIT_FOR_MISS.has(notStored)) context.fills.markHitForMiss(exchange.key, Date.now());
    const shareable = buffer !== undefined && (notStored === undefined || !PER_CLIENT.has(notStored));
    settle(shareable ? { kind: 'entry', entry: unstoredEntry(fetched, buffer, exchange, context, route), stored: false } : { kind: 'unshared' });
    return false;
  };
  if (client === undefined) {
    const drained = await drain(fetched, undefined, context.env.MAX_ENTRY_BYTES);
    let stored = false;
    try {
      stored = complete(drained);
    } catch (err) {
      context.logger.error({ err, key: exchange.key }, 'completing a fill failed');
      settle({ kind: 'unshared' });
    }
    // As for a streamed body (complete). A failed commit is the store's to count.
    if (stored && awaitsCommit(exchange, context)) await context.store.flushed().catch(() => undefined);
    if (drained.error !== undefined) throw route.origin.classify(drained.error, fetched.signal);
    if (drained.buffer === undefined) throw new OriginUnavailableError(route.origin.origin, new Error('body longer than its Content-Length'));
    return { kind: 'buffered', fetched, body: drained.buffer };
  }
  // Whatever fails after the headers (even a bug in storing), the client's copy ends and
  // the waiters are released: a fill never stays in flight forever.
  drain(fetched, client, context.env.MAX_ENTRY_BYTES)
    .then(complete)
    .catch((err: unknown) => {
      context.logger.error({ err, key: exchange.key }, 'completing a fill failed');
      client.destroy(err as Error);
      settle({ kind: 'unshared' });
    });
  return { kind: 'streaming', fetched, body: client };
}
