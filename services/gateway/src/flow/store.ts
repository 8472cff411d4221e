/**
 * store: decides whether a filled response may be stored (status, Set-Cookie, private /
 * no-store, Vary, freshness, size) and writes it with its fillSeq. Returns the body to
 * deliver: the buffered bytes, or a stream when the response was not stored.
 */
import { Readable } from 'node:stream';
import type { GatewayContext, Route } from '../context.js';
import { freshnessLifetimeMs } from '../http/freshness.js';
import { unstorableReason } from '../http/storability.js';
import type { EntryMeta } from '../store/cache-entry.js';
import type { Exchange } from './exchange.js';
import type { Fetched } from './fetch.js';

export type StoreResult = { kind: 'stored'; body: Buffer } | { kind: 'not-stored'; body: Buffer | Readable };

/** Reads at most `limit` bytes; beyond it, hands back what was read plus the rest, unread. */
async function readUpTo(body: Readable, limit: number): Promise<{ complete: true; buffer: Buffer } | { complete: false; rest: Readable }> {
  const chunks: Buffer[] = [];
  let length = 0;
  const iterator = body[Symbol.asyncIterator]();
  for (;;) {
    const { value, done } = (await iterator.next()) as IteratorResult<Buffer>;
    if (done) return { complete: true, buffer: Buffer.concat(chunks, length) };
    chunks.push(value);
    length += value.length;
    if (length > limit) {
      const rest = Readable.from(
        (async function* () {
          yield* chunks;
          for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value as Buffer;
        })(),
      );
      return { complete: false, rest };
    }
  }
}

function cacheTags(header: string | string[] | undefined): string[] {
  if (header === undefined) return [];
  const joined = Array.isArray(header) ? header.join(',') : header;
  return [...new Set(joined.split(/[\s,]+/).filter((tag) => tag !== ''))];
}

function storedHeaders(headers: Fetched['headers']): EntryMeta['headers'] {
  const stored: EntryMeta['headers'] = { ...headers };
  // The body is stored whole; the length is the body's when it is delivered.
  delete stored['content-length'];
  return stored;
}

export async function store(exchange: Exchange, context: GatewayContext, route: Route, fetched: Fetched, now: number): Promise<StoreResult> {
  const match = exchange.match;
  const notStored = (reason: Exchange['notStoredReason'], body: Buffer | Readable): StoreResult => {
    exchange.notStoredReason = reason;
    return { kind: 'not-stored', body };
  };
  if (match === undefined) return notStored('no-rule', fetched.body);
  const unstorable = unstorableReason(fetched.status, fetched.headers);
  if (unstorable !== undefined) return notStored(unstorable, fetched.body);
  const lifetimeMs = freshnessLifetimeMs(match.ttl, {
    method: 'GET',
    url: exchange.url,
    requestHeaders: exchange.headers,
    status: fetched.status,
    responseHeaders: fetched.headers,
  });
  if (lifetimeMs <= 0) return notStored('no-freshness', fetched.body);

  let read;
  try {
    read = await readUpTo(fetched.body, context.env.MAX_ENTRY_BYTES);
  } catch (err) {
    throw route.origin.classify(err, fetched.signal);
  }
  if (!read.complete) return notStored('too-large', read.rest);
  if (fetched.fillEpoch !== context.invalidations.epoch) return notStored('feed-reset', read.buffer);

  const meta: EntryMeta = {
    status: fetched.status,
    headers: storedHeaders(fetched.headers),
    cache: route.cache,
    ruleId: match.rule.id,
    groupCode: match.rule.groupCode,
    tags: context.cacheConfig.cacheTagsHeader === undefined ? [] : cacheTags(fetched.headers[context.cacheConfig.cacheTagsHeader]),
    url: exchange.url,
    storedAt: now,
    expiresAt: lifetimeMs === Infinity ? 0 : now + lifetimeMs,
    fillSeq: fetched.fillSeq,
  };
  // Awaited so the next request for this key finds the entry (lmdb-js commits per event turn).
  await context.store.put(exchange.key, meta, read.buffer);
  context.metrics.stores.inc({ cache: route.cache });
  return { kind: 'stored', body: read.buffer };
}
