/**
 * Client conditionals on a cached response (RFC 9110 §13): `If-None-Match` compares entity
 * tags weakly and, when present, decides alone; otherwise `If-Modified-Since` compares
 * dates. Only a conditional request can get 304. And the other way round: whether an
 * origin's 304 vouches for the stored response at all (RFC 9111 §4.3.4).
 */
import { parseHttpDate } from './http-date.js';
import { firstFieldLine } from './field-lines.js';

export interface Validators {
  etag: string;
  lastModified: string;
}

function etagOpaque(tag: string): string {
  return tag.startsWith('W/') ? tag.slice(2) : tag;
}

function noneMatch(header: string, etag: string): boolean {
  if (header.trim() === '*') return false;
  const wanted = etagOpaque(etag);
  return !header.split(',').some((candidate) => etagOpaque(candidate.trim()) === wanted);
}

/** Whether the client's conditional headers make this a 304 instead of the full response. */
export function notModified(requestHeaders: Record<string, string | string[] | undefined>, validators: Validators): boolean {
  const ifNoneMatch = requestHeaders['if-none-match'];
  if (ifNoneMatch !== undefined) return !noneMatch(Array.isArray(ifNoneMatch) ? ifNoneMatch.join(',') : ifNoneMatch, validators.etag);
  const ifModifiedSince = requestHeaders['if-modified-since'];
  if (typeof ifModifiedSince !== 'string') return false;
  // RFC 9110 §13.1.3: an If-Modified-Since that is not a valid HTTP-date is ignored.
  const since = parseHttpDate(ifModifiedSince);
  const modified = parseHttpDate(validators.lastModified);
  return since !== undefined && modified !== undefined && modified <= since;
}

/** The origin's own validators of a stored response (absent when it sent none). */
export interface StoredValidators {
  originEtag: string | undefined;
  originLastModified: string | undefined;
}


/**
 * Does a 304 select the stored response for update (RFC 9111 §4.3.4)? An entity tag in the
 * 304 must be the stored one (weak comparison, so a weakened tag still matches); a stored
 * response without one is not selected by a 304 that has one. A Last-Modified in both must
 * agree. A 304 without validators selects the response it was asked about.
 */
export function selectsStored(stored: StoredValidators, notModifiedHeaders: Record<string, string | string[] | undefined>): boolean {
  const etag = firstFieldLine(notModifiedHeaders.etag);
  if (etag !== undefined && (stored.originEtag === undefined || etagOpaque(etag) !== etagOpaque(stored.originEtag))) return false;
  const lastModified = firstFieldLine(notModifiedHeaders['last-modified']);
  if (lastModified === undefined || stored.originLastModified === undefined) return true;
  if (lastModified === stored.originLastModified) return true;
  const a = parseHttpDate(lastModified);
  return a !== undefined && a === parseHttpDate(stored.originLastModified);
}
