/**
 * The headers sent to an origin (docs/request-flow.md). Never hop-by-hop headers, `host` (the
 * pool sets the origin's) or the client's `authorization` (the gateway's own
 * credentials); the route's origin token is added when configured. Fields that rewrite
 * the target, host, scheme, method or client (origin/proxy-fields.ts) go only when the
 * route lists them, and the gateway adds its own X-Forwarded-For, X-Forwarded-Proto, Via.
 *
 * A pass forwards the rest of the client's headers. A fill's answer is stored and served
 * to other clients, so it carries only what the key includes (the keyed headers and
 * keyed cookies) and the route's forwarded headers (`defaultForwardHeaders` /
 * `apiForwardHeaders`: the operator's word that they do not change the answer, or that
 * the origin says so with Vary). It never asks for a compressed, partial or conditional
 * answer of the client's making.
 */
import { keyedCookies, keyedFieldValue } from '@cairn/shared';
import type { IncomingHttpHeaders } from 'node:http';
import type { Route } from '../context.js';
import { combinedField } from '../http/field-lines.js';
import { connectionListed, isHopByHop } from '../http/hop-by-hop.js';
import { CLIENT_REWRITING_FIELDS, gatewayForwardingFields, type Peer } from './proxy-fields.js';

const NEVER_FORWARDED = new Set(['host', 'authorization', 'cookie', 'accept-encoding', 'range', 'if-range', 'if-none-match', 'if-modified-since']);

/**
 * Headers for a fill: the keyed headers and cookies exactly as the key holds them (one
 * combined field value per header, the first value of a repeated cookie name: the
 * functions that build the key build these too), each forwarded header's combined field
 * value as received, the gateway's forwarding fields, and the origin token.
 */
export function fillHeaders(headers: IncomingHttpHeaders, route: Route, peer: Peer): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of route.forwardHeaders) {
    // Config refuses the never-forwarded names; hop-by-hop ones are the client's connection's.
    if (NEVER_FORWARDED.has(name) || isHopByHop(name, undefined)) continue;
    const value = combinedField(headers[name]);
    if (value !== undefined) out[name] = value;
  }
  for (const name of route.keyConfig.includeHeaders) {
    if (NEVER_FORWARDED.has(name) || isHopByHop(name, undefined)) continue;
    const value = keyedFieldValue(headers[name]);
    if (value !== undefined) out[name] = value;
  }
  const cookies = keyedCookies(headers.cookie, route.keyConfig.includeCookies);
  if (cookies.length > 0) out.cookie = cookies.join('; ');
  // A keyed field is as safe as a listed one: the cache keeps each of its values apart.
  Object.assign(out, gatewayForwardingFields(headers, peer, (name) => route.forwardHeaders.includes(name) || route.keyConfig.includeHeaders.includes(name)));
  if (route.originAuth !== undefined) out[route.originAuth[0]] = route.originAuth[1];
  return out;
}

/**
 * The request fields that select a fill's answer (the keyed headers and cookies, the
 * forwarded headers, the API header that routed it): kept with the entry, so the gateway
 * can ask for the same answer again without a client (a refresh, fill-ahead.ts).
 */
export function selectingFields(headers: IncomingHttpHeaders, route: Route, apiHeader: { key: string; value: string } | undefined): Record<string, string> | undefined {
  let out: Record<string, string> | undefined;
  const add = (name: string, value: string | undefined) => {
    if (value !== undefined) (out ??= {})[name] = value;
  };
  for (const name of route.forwardHeaders) if (!NEVER_FORWARDED.has(name)) add(name, combinedField(headers[name]));
  for (const name of route.keyConfig.includeHeaders) if (!NEVER_FORWARDED.has(name)) add(name, keyedFieldValue(headers[name]));
  const cookies = keyedCookies(headers.cookie, route.keyConfig.includeCookies);
  if (cookies.length > 0) add('cookie', cookies.join('; '));
  if (route.cache === 'api' && apiHeader !== undefined && headers[apiHeader.key] === apiHeader.value) add(apiHeader.key, apiHeader.value);
  return out;
}

/**
 * Headers for a pass: the client's, minus hop-by-hop, host, authorization and the
 * rewriting fields the route does not list, plus the gateway's forwarding fields.
 */
export function passHeaders(headers: IncomingHttpHeaders, route: Route, peer: Peer): Record<string, string | string[]> {
  const listed = connectionListed(headers.connection);
  const kept = (name: string) => !CLIENT_REWRITING_FIELDS.has(name) || route.forwardHeaders.includes(name);
  const out: Record<string, string | string[]> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined || name === 'host' || name === 'authorization' || isHopByHop(name, listed) || !kept(name)) continue;
    out[name] = value;
  }
  Object.assign(out, gatewayForwardingFields(headers, peer, kept));
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
