/**
 * A hit's response fields as the flat `[name, value, name, value…]` list `writeHead` takes,
 * so a hit neither builds a field object nor calls setHeader per field. The list is one
 * scratch array every hit refills: `writeHead` reads it synchronously, so no answer ever
 * sees another's values. A list kept per entry (WeakMap) was measured against it
 * (npm run bench:hit-fields): 130 ns faster per hit when the store hands out the same entry
 * object each time (the memory tier does), but 2 µs slower when it decodes a new one per
 * read (LMDB reads, and every hit with MEMORY_CACHE_BYTES=0 or an entry too large for the
 * tier: a WeakMap insert per hit, and the GC work of its ephemerons). The scratch list costs
 * the same either way.
 */
import { headers as cairnHeaders } from '@cairn/shared';
import { formatCacheStatus } from '../http/cache-status.js';
import { CACHE_STATUS_HEADER } from '../http/gateway-headers.js';
import { REQUEST_ID_HEADER } from '../http/request-id.js';
import type { CacheEntry } from '../store/cache-entry.js';
import type { CacheOutcome } from './outcome.js';
import type { FieldValue } from './reply.js';

/** Fields the hit sets itself, whatever an older entry may still hold. */
const SET_PER_HIT: readonly string[] = ['age', cairnHeaders.cache, CACHE_STATUS_HEADER, 'accept-ranges', 'content-length', REQUEST_ID_HEADER];

/**
 * The stored fields a hit does not copy: those it sets itself, and `withheld` (the fields
 * clients never get from this gateway, GatewayContext.withheldFields). Built once per gateway.
 */
export function notCopiedOnHit(withheld: ReadonlySet<string>): ReadonlySet<string> {
  return new Set([...SET_PER_HIT, ...withheld]);
}

/** For a caller that withholds nothing (the tests, benchmarks). */
const SET_PER_HIT_ONLY = notCopiedOnHit(new Set());

const scratch: FieldValue[] = [];
let lastDetail = '';
let lastTtl: number | undefined;
let lastCacheStatus = '';

/**
 * The fields of a hit answered from `entry` whole (no 304, no Range), Age and the
 * gateway's marks filled in. `ttlSeconds`: remaining freshness, undefined for `never`.
 * The Cache-Status value is rebuilt only when its detail or ttl differs from the last hit's.
 * `requestId`: sent when not ''. `notCopied`: `notCopiedOnHit`'s set. The list is valid until
 * the next call.
 */
export function hitFields(
  entry: CacheEntry,
  outcome: CacheOutcome,
  detail: string,
  ageSeconds: number,
  ttlSeconds: number | undefined,
  requestId = '',
  notCopied: ReadonlySet<string> = SET_PER_HIT_ONLY,
): readonly FieldValue[] {
  const stored = entry.meta.headers;
  const fields = scratch;
  let n = 0;
  for (const name in stored) {
    if (notCopied.has(name)) continue;
    fields[n++] = name;
    fields[n++] = stored[name] as FieldValue;
  }
  // As answers were typed before their fields were written in one list (fastify's default for a Buffer).
  if (stored['content-type'] === undefined) {
    fields[n++] = 'content-type';
    fields[n++] = 'application/octet-stream';
  }
  // RFC 9110 §14.3: the gateway serves byte ranges of a complete 200.
  if (entry.meta.status === 200) {
    fields[n++] = 'accept-ranges';
    fields[n++] = 'bytes';
  }
  fields[n++] = 'content-length';
  fields[n++] = String(entry.body.length);
  fields[n++] = 'age';
  fields[n++] = String(ageSeconds);
  fields[n++] = cairnHeaders.cache;
  fields[n++] = outcome;
  if (lastDetail !== detail || lastTtl !== ttlSeconds || lastCacheStatus === '') {
    lastDetail = detail;
    lastTtl = ttlSeconds;
    lastCacheStatus = formatCacheStatus({ hit: true, ttlSeconds, detail });
  }
  fields[n++] = CACHE_STATUS_HEADER;
  fields[n++] = lastCacheStatus;
  if (requestId !== '') {
    fields[n++] = REQUEST_ID_HEADER;
    fields[n++] = requestId;
  }
  fields.length = n;
  return fields;
}
