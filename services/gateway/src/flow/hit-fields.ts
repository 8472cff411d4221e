/**
 * A hit's response fields as the flat `[name, value, name, value…]` list `writeHead` takes,
 * built once per stored entry: a hot key's entry is the same object hit after hit (the
 * in-memory tier), so its stored fields are walked once, not per answer. The list ends
 * with the fields the gateway sets on every hit, whose values are slots rewritten per
 * answer; Age and Cache-Status strings are kept per entry and rebuilt only when their
 * seconds change. Writing the list is synchronous, so entries shared by concurrent hits
 * never see another answer's slots.
 */
import { headers as cairnHeaders } from '@cairn/shared';
import { formatCacheStatus } from '../http/cache-status.js';
import { CACHE_STATUS_HEADER } from '../http/gateway-headers.js';
import type { CacheEntry } from '../store/cache-entry.js';
import type { CacheOutcome } from './outcome.js';
import type { FieldValue } from './reply.js';

/** Fields the hit sets itself, whatever an older entry may still hold. */
const SET_PER_HIT: ReadonlySet<string> = new Set(['age', cairnHeaders.cache, CACHE_STATUS_HEADER, 'accept-ranges', 'content-length']);

interface HitHead {
  readonly fields: FieldValue[];
  /** Index of the Age value; x-cairn-cache and Cache-Status follow it. */
  readonly ageAt: number;
  ageSeconds: number;
  cacheStatusDetail: string;
  cacheStatusTtl: number | undefined;
}

const heads = new WeakMap<CacheEntry, HitHead>();

function buildHead(entry: CacheEntry): HitHead {
  const stored = entry.meta.headers;
  const fields: FieldValue[] = [];
  for (const name in stored) if (!SET_PER_HIT.has(name)) fields.push(name, stored[name] as FieldValue);
  // What the answer had before its fields were written in one list (fastify's default for a Buffer).
  if (stored['content-type'] === undefined) fields.push('content-type', 'application/octet-stream');
  // RFC 9110 §14.3: the gateway serves byte ranges of a complete 200.
  if (entry.meta.status === 200) fields.push('accept-ranges', 'bytes');
  fields.push('content-length', String(entry.body.length));
  const ageAt = fields.length + 1;
  fields.push('age', '', cairnHeaders.cache, '', CACHE_STATUS_HEADER, '');
  return { fields, ageAt, ageSeconds: -1, cacheStatusDetail: '', cacheStatusTtl: undefined };
}

/**
 * The fields of a hit answered from `entry` whole (no 304, no Range), Age and the
 * gateway's marks filled in. `ttlSeconds`: remaining freshness, undefined for `never`.
 */
export function hitFields(entry: CacheEntry, outcome: CacheOutcome, detail: string, ageSeconds: number, ttlSeconds: number | undefined): readonly FieldValue[] {
  let head = heads.get(entry);
  if (head === undefined) heads.set(entry, (head = buildHead(entry)));
  const fields = head.fields;
  const at = head.ageAt;
  if (head.ageSeconds !== ageSeconds) {
    head.ageSeconds = ageSeconds;
    fields[at] = String(ageSeconds);
  }
  fields[at + 2] = outcome;
  if (head.cacheStatusDetail !== detail || head.cacheStatusTtl !== ttlSeconds || fields[at + 4] === '') {
    head.cacheStatusDetail = detail;
    head.cacheStatusTtl = ttlSeconds;
    fields[at + 4] = formatCacheStatus({ hit: true, ttlSeconds, detail });
  }
  return fields;
}
