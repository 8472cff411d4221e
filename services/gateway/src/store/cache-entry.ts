/**
 * How a cache entry is stored (#13): its metadata (the head) in the `entries` database and
 * its raw body under the same key in `bodies`, written in one transaction. The sweep,
 * eviction and index upkeep read heads only, never a body; a hit decodes the head once and
 * copies the body once. A head is `[u32 0xFFFFFFFF][msgpack meta]`. Stores written before
 * #13 hold `[u32 metaLength][msgpack meta][raw body]` in `entries`: a meta length can never
 * be 0xFFFFFFFF, so the first word tells the two apart and such a value is still read
 * (and migrated in the background, lmdb-store.ts).
 */
import type { CacheName } from '@cairn/shared';
import { Packr, type Options } from 'msgpackr';

export interface EntryMeta {
  status: number;
  /**
   * Response headers as stored: lowercase names, hop-by-hop headers and content-length
   * removed; always an `etag` and a `last-modified` (the origin's, or made by the gateway).
   */
  headers: Record<string, string | string[]>;
  /** The origin's own validators, for a conditional revalidation; absent when it sent none. */
  originEtag: string | undefined;
  originLastModified: string | undefined;
  /** The origin forbade serving it stale (`must-revalidate`, `proxy-revalidate`, `s-maxage`). */
  noStale: boolean;
  cache: CacheName;
  ruleId: string;
  groupCode: string | undefined;
  tags: string[];
  /** The request target the entry was filled for. */
  url: string;
  /** Its `url` invalidation keys: normalized path, and path plus sorted query. */
  urlPath: string;
  urlQueryKey: string;
  /** Wall-clock ms; for Age and humans, never for invalidation (README, Invalidation). */
  storedAt: number;
  /** Wall-clock ms after which the entry is stale; 0 for `never`. */
  expiresAt: number;
  /** The CACHE_INVALIDATIONS sequence applied when the origin fetch began. */
  fillSeq: number;
  // Added by issue 10; entries stored before lack them and read as 0 / absent.
  /** RFC 9111 §4.2.3 corrected_initial_age at storedAt, ms: Age on a hit adds the time since. */
  initialAgeMs?: number;
  /** The origin's RFC 5861 windows, ms; a rule's own window, when it sets one, wins. */
  originStaleWhileRevalidateMs?: number;
  originStaleIfErrorMs?: number;
  /** Targeted Cache-Control fields (RFC 9213) withheld from the stored headers, kept for revalidations. */
  targetedFields?: Record<string, string> | undefined;
  /**
   * A variant (store/variants.ts): the forwarded Vary fields it was selected by, sorted,
   * and its id. Absent on responses stored under their URL key alone.
   */
  varyOn?: string[] | undefined;
  variantId?: string | undefined;
  /** Only on a URL key's variant marker: the variants stored, most recent last. */
  variants?: string[] | undefined;
  /**
   * Added by issue 14: the request fields that selected this answer (origin/forward-headers.ts
   * selectingFields), so a refresh can ask the origin for it again without a client.
   */
  fillFields?: Record<string, string> | undefined;
}

export interface CacheEntry {
  meta: EntryMeta;
  body: Buffer;
}

// Absent optional fields are left out rather than written as undefined: a hit decodes fewer keys.
const packr = new Packr({ useRecords: false, skipValues: [undefined] } as Options & { skipValues: unknown[] });
const WORD_BYTES = 4;
const HEAD_MARK = 0xffffffff;

export function encodeHead(meta: EntryMeta): Buffer {
  const packed = packr.pack(meta);
  const out = Buffer.allocUnsafe(WORD_BYTES + packed.length);
  out.writeUInt32LE(HEAD_MARK, 0);
  packed.copy(out, WORD_BYTES);
  return out;
}

/** Whether an `entries` value holds the body too (the layout before #13). */
export function isWholeEntry(value: Buffer): boolean {
  return value.readUInt32LE(0) !== HEAD_MARK;
}

/** The metadata of an `entries` value, in either layout. */
export function decodeMeta(value: Buffer): EntryMeta {
  const first = value.readUInt32LE(0);
  const end = first === HEAD_MARK ? value.length : WORD_BYTES + first;
  return packr.unpack(value.subarray(WORD_BYTES, end)) as EntryMeta;
}

/** The layout before #13: written only to test and measure how such stores are read. */
export function encodeWholeEntry(meta: EntryMeta, body: Buffer): Buffer {
  const packed = packr.pack(meta);
  const out = Buffer.allocUnsafe(WORD_BYTES + packed.length + body.length);
  out.writeUInt32LE(packed.length, 0);
  packed.copy(out, WORD_BYTES);
  body.copy(out, WORD_BYTES + packed.length);
  return out;
}

/** A whole entry (the layout before #13); the body is a view of `value`. */
export function decodeWholeEntry(value: Buffer): CacheEntry {
  const metaLength = value.readUInt32LE(0);
  const bodyStart = WORD_BYTES + metaLength;
  const meta = packr.unpack(value.subarray(WORD_BYTES, bodyStart)) as EntryMeta;
  return { meta, body: value.subarray(bodyStart) };
}
