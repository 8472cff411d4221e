/**
 * Client conditionals on a cached response (RFC 9110 §13): `If-None-Match` compares entity
 * tags weakly and, when present, decides alone; otherwise `If-Modified-Since` compares
 * dates. Only a conditional request can get 304.
 */

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
  const since = Date.parse(ifModifiedSince);
  const modified = Date.parse(validators.lastModified);
  return !Number.isNaN(since) && !Number.isNaN(modified) && modified <= since;
}
