/**
 * Byte range requests on a complete stored representation (RFC 9110 §14): which part of
 * the body a `Range` (with its `If-Range`, §13.1.5) selects. One satisfiable range (after
 * coalescing overlaps, §14.2) is a 206; several are answered whole (a server MAY ignore
 * Range, §14.2), so no multipart/byteranges is built. Pure: no I/O, no reply.
 */
import { parseHttpDate } from './http-date.js';

/** One range of bytes, `end` inclusive (RFC 9110 §14.1.2). */
export interface ByteRange {
  start: number;
  end: number;
}

export type RangeSelection =
  /** One satisfiable range: 206 with Content-Range. */
  | { kind: 'partial'; range: ByteRange }
  /** No range overlaps the representation: 416 with `Content-Range: bytes * /length` (§15.5.17). */
  | { kind: 'unsatisfiable' }
  /** Invalid, several ranges, an empty body, or an If-Range that does not match: the whole 200. */
  | { kind: 'ignored' };

/** The validators the client saw on the representation. */
export interface RangeValidators {
  etag: string | undefined;
  lastModified: string | undefined;
  /** The response's `Date`: a Last-Modified is a strong validator only well before it (§8.8.2.2). */
  date: string | undefined;
}

/** A range-spec as written: `first-last`, `first-` or `-suffix` (§14.1.2). */
interface RangeSpec {
  first: number | undefined;
  last: number | undefined;
}

const IGNORED: RangeSelection = { kind: 'ignored' };
const UNSATISFIABLE: RangeSelection = { kind: 'unsatisfiable' };
const DIGITS = /^\d+$/;
/** §8.8.2.2: a cache may treat a Last-Modified as strong when it is at least 60 s before the Date. */
const STRONG_LAST_MODIFIED_MS = 60_000;

/** `bytes=` and a range-set (`1#range-spec`, §14.1.2); undefined when any part is invalid. */
export function parseRangeSet(header: string): RangeSpec[] | undefined {
  const eq = header.indexOf('=');
  // §14.1: range units are compared case-insensitively; only bytes is known here.
  if (eq === -1 || header.slice(0, eq).toLowerCase() !== 'bytes') return undefined;
  const specs: RangeSpec[] = [];
  for (const element of header.slice(eq + 1).split(',')) {
    const part = element.trim();
    // §5.6.1: a recipient accepts and ignores empty list elements.
    if (part === '') continue;
    const dash = part.indexOf('-');
    if (dash === -1) return undefined;
    const first = part.slice(0, dash);
    const last = part.slice(dash + 1);
    if ((first !== '' && !DIGITS.test(first)) || (last !== '' && !DIGITS.test(last)) || (first === '' && last === '')) return undefined;
    const spec = { first: first === '' ? undefined : Number(first), last: last === '' ? undefined : Number(last) };
    // §14.1.1: an int-range whose last-pos is below its first-pos is invalid.
    if (spec.first !== undefined && spec.last !== undefined && spec.last < spec.first) return undefined;
    specs.push(spec);
  }
  return specs.length === 0 ? undefined : specs;
}

/** The bytes a spec selects of `length`, or undefined when it is unsatisfiable (§14.1.1). */
function resolve(spec: RangeSpec, length: number): ByteRange | undefined {
  if (spec.first === undefined) {
    // suffix-range: the last N bytes, all of them when N exceeds the length; -0 selects nothing.
    const suffix = spec.last as number;
    return suffix === 0 ? undefined : { start: Math.max(0, length - suffix), end: length - 1 };
  }
  if (spec.first >= length) return undefined;
  return { start: spec.first, end: spec.last === undefined ? length - 1 : Math.min(spec.last, length - 1) };
}

/** Overlapping or adjacent ranges as one (§14.2 allows a server to coalesce them). */
function coalesce(ranges: ByteRange[]): ByteRange[] {
  if (ranges.length < 2) return ranges;
  const sorted = [...ranges].sort((a, b) => a.start - b.start);
  const out: ByteRange[] = [{ ...(sorted[0] as ByteRange) }];
  for (const range of sorted.slice(1)) {
    const previous = out[out.length - 1] as ByteRange;
    if (range.start <= previous.end + 1) previous.end = Math.max(previous.end, range.end);
    else out.push({ ...range });
  }
  return out;
}

function isStrongMatch(candidate: string, etag: string | undefined): boolean {
  // §8.8.3.2 strong comparison: neither is weak and the opaque tags are identical.
  return etag !== undefined && !etag.startsWith('W/') && candidate === etag;
}

/**
 * §13.1.5: the range applies only when the If-Range validator matches the representation
 * strongly: an entity-tag equal to its strong ETag, or a date equal to its Last-Modified
 * when that Last-Modified is strong (§8.8.2.2, at least 60 s before the stored Date).
 */
export function ifRangeMatches(ifRange: string, validators: RangeValidators): boolean {
  const value = ifRange.trim();
  // §13.1.5: an entity-tag is told from an HTTP-date by a DQUOTE in its first three characters.
  if (value.slice(0, 3).includes('"')) return isStrongMatch(value, validators.etag);
  const { lastModified, date } = validators;
  if (lastModified === undefined || date === undefined || value !== lastModified) return false;
  // Only RFC 9110 HTTP-dates are dates (§5.6.7).
  const modifiedMs = parseHttpDate(lastModified);
  const dateMs = parseHttpDate(date);
  return modifiedMs !== undefined && dateMs !== undefined && modifiedMs <= dateMs - STRONG_LAST_MODIFIED_MS;
}

/** What a GET with `range` (and `ifRange`) gets of a complete 200 body of `length` bytes. */
export function selectRange(range: string, ifRange: string | undefined, length: number, validators: RangeValidators): RangeSelection {
  // §13.1.5: a failed If-Range means the whole representation, before the range is even read.
  if (ifRange !== undefined && !ifRangeMatches(ifRange, validators)) return IGNORED;
  const specs = parseRangeSet(range);
  // §14.2: an invalid Range is ignored. A zero-length body has no byte to point at: answered whole.
  if (specs === undefined || length === 0) return IGNORED;
  const satisfiable: ByteRange[] = [];
  for (const spec of specs) {
    const resolved = resolve(spec, length);
    if (resolved !== undefined) satisfiable.push(resolved);
  }
  if (satisfiable.length === 0) return UNSATISFIABLE;
  const ranges = coalesce(satisfiable);
  return ranges.length === 1 ? { kind: 'partial', range: ranges[0] as ByteRange } : IGNORED;
}

/** `Content-Range` of a 206 (§14.4): `bytes first-last/complete-length`. */
export function contentRange(range: ByteRange, length: number): string {
  return `bytes ${range.start}-${range.end}/${length}`;
}

/** `Content-Range` of a 416 (§14.4): `bytes` then `*` then `/complete-length`. */
export function unsatisfiedRange(length: number): string {
  return `bytes */${length}`;
}
