/**
 * recv: reserved paths go to the origin untouched; API traffic (by `apiHeader` or
 * `apiPathPrefix`) goes to the API route after `apiPathReplacement`, the rest to the page
 * route. The target must be origin-form, so it can never name another host, and carries
 * no fragment (RFC 9112 §3.2.1 has none; a `#` there is refused, not stripped, so no part
 * of the target can reach the origin without being in the key — issue 9).
 */
import { canonicalPath, trimTrailingSlash } from '@cairn/shared';
import type { GatewayContext } from '../context.js';
import { BadRequestTargetError } from '../errors.js';
import { dropConnectionListed } from '../http/hop-by-hop.js';
import type { Exchange } from './exchange.js';

export type RecvResult = { kind: 'continue' } | { kind: 'pass' };

function isApi(exchange: Exchange, context: GatewayContext): boolean {
  const { apiHeader, apiPathPrefix } = context.cacheConfig;
  if (apiHeader !== undefined && exchange.headers[apiHeader.key] === apiHeader.value) return true;
  // On the normalized path, as the key and a fill see it: `/API/x` and `/./api/x` are API
  // traffic, and `/api/../admin` is not (it must not reach the API origin with its token).
  return apiPathPrefix !== undefined && exchange.canonicalPath.startsWith(apiPathPrefix);
}

export function recv(exchange: Exchange, context: GatewayContext): RecvResult {
  // `//host/x` is origin-form to node but a network-path reference to URL parsers.
  if (!exchange.url.startsWith('/') || exchange.url.startsWith('//') || exchange.url.includes('#')) throw new BadRequestTargetError(exchange.url);
  dropConnectionListed(exchange.headers);
  exchange.canonicalPath = canonicalPath(exchange.url);
  exchange.path = trimTrailingSlash(exchange.canonicalPath);
  const route = context.routes.api !== undefined && isApi(exchange, context) ? context.routes.api : context.routes.page;
  exchange.route = route;
  if (context.reservedPaths.has(exchange.rawPath)) {
    exchange.decide('PASS', 'reserved-path');
    return { kind: 'pass' };
  }
  return { kind: 'continue' };
}
