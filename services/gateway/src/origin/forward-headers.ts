/**
 * The headers sent to an origin: the client's, without hop-by-hop headers, `host` (the
 * pool sets the origin's) and the client's `authorization` (the gateway's own
 * credentials; DESIGN.md §6). The route's origin token is added when configured.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Route } from '../context.js';
import { connectionListed, isHopByHop } from '../http/hop-by-hop.js';

const NEVER_FORWARDED = new Set(['host', 'authorization']);

/**
 * `forFill`: the response will be stored and served to other clients, so the origin is
 * asked for an identity encoding (a stored gzip body must not reach a client that did
 * not ask for it) and never for a partial or conditional answer.
 */
const NOT_FORWARDED_ON_FILL = new Set(['accept-encoding', 'range', 'if-range', 'if-none-match', 'if-modified-since', 'content-length']);

export function forwardHeaders(headers: IncomingHttpHeaders, route: Route, forFill: boolean): Record<string, string | string[]> {
  const listed = connectionListed(headers.connection);
  const out: Record<string, string | string[]> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined || NEVER_FORWARDED.has(name) || isHopByHop(name, listed)) continue;
    if (forFill && NOT_FORWARDED_ON_FILL.has(name)) continue;
    out[name] = value;
  }
  if (route.originAuth !== undefined) out[route.originAuth[0]] = route.originAuth[1];
  return out;
}

/** Response headers safe to pass on or store: no hop-by-hop headers. */
export function responseHeaders(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const listed = connectionListed(headers.connection);
  const out: Record<string, string | string[]> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value !== undefined && !isHopByHop(name, listed)) out[name] = value;
  }
  return out;
}
