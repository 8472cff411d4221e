/**
 * The headers sent to an origin (docs/request-flow.md). Never hop-by-hop headers, `host` (the
 * pool sets the origin's) or the client's `authorization` (the gateway's own
 * credentials); the route's origin token is added when configured.
 *
 * A pass forwards the rest of the client's headers. A fill's answer is stored and served
 * to other clients, so it carries only what the key includes (the keyed headers and
 * keyed cookies): an unkeyed header that changed the answer would poison the cache. It
 * never asks for a compressed, partial or conditional answer of the client's making.
 */
import { keyedCookies, keyedFieldValue } from '@cairn/shared';
import type { IncomingHttpHeaders } from 'node:http';
import type { Route } from '../context.js';
import { connectionListed, isHopByHop } from '../http/hop-by-hop.js';

const NEVER_FORWARDED = new Set(['host', 'authorization', 'cookie', 'accept-encoding', 'range', 'if-range', 'if-none-match', 'if-modified-since']);

/**
 * Headers for a fill: the keyed headers and cookies exactly as the key holds them (one
 * combined field value per header, the first value of a repeated cookie name: the
 * functions that build the key build these too), plus the origin token.
 */
export function fillHeaders(headers: IncomingHttpHeaders, route: Route): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of route.keyConfig.includeHeaders) {
    if (NEVER_FORWARDED.has(name) || isHopByHop(name, undefined)) continue;
    const value = keyedFieldValue(headers[name]);
    if (value !== undefined) out[name] = value;
  }
  const cookies = keyedCookies(headers.cookie, route.keyConfig.includeCookies);
  if (cookies.length > 0) out.cookie = cookies.join('; ');
  if (route.originAuth !== undefined) out[route.originAuth[0]] = route.originAuth[1];
  return out;
}

/** Headers for a pass: the client's, minus hop-by-hop, host and authorization. */
export function passHeaders(headers: IncomingHttpHeaders, route: Route): Record<string, string | string[]> {
  const listed = connectionListed(headers.connection);
  const out: Record<string, string | string[]> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined || name === 'host' || name === 'authorization' || isHopByHop(name, listed)) continue;
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
