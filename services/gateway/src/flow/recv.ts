/**
 * recv: reserved paths go to the origin untouched; API traffic (by `apiHeader` or
 * `apiPathPrefix`) goes to the API route after `apiPathReplacement`, the rest to the page
 * route. The target must be origin-form, so it can never name another host, and carries
 * no fragment (RFC 9112 §3.2.1 has none; a `#` there is refused, not stripped, so no part
 * of the target can reach the origin without being in the key — issue 9). Then Basic auth
 * (README, Access control): any role for the proxy, an admin role for PURGE.
 */
import { cacheOfRequest, canonicalPath, trimTrailingSlash, type AuthResult } from '@cairn/shared';
import type { GatewayContext, Route } from '../context.js';
import { AuthRefusedError, BadRequestTargetError, ForbiddenError, UnauthorizedError } from '../errors.js';
import { dropConnectionListed } from '../http/hop-by-hop.js';
import type { Exchange } from './exchange.js';
import { PURGE_METHOD } from './purge.js';

/** `authenticate`: a credential not in the cache is being checked (scrypt); `admit` its result. */
export type RecvResult = { kind: 'continue' } | { kind: 'pass' } | { kind: 'authenticate'; checked: Promise<AuthResult> };

const CONTINUE: RecvResult = { kind: 'continue' };
const PASS: RecvResult = { kind: 'pass' };

/**
 * The target's normalized forms and its route, for a client's request and for one the
 * gateway makes up itself (warming, refresh, origin push: flow/fill-ahead.ts).
 */
export function routeRequest(exchange: Exchange, context: GatewayContext): Route {
  // `//host/x` is origin-form to node but a network-path reference to URL parsers.
  if (!exchange.url.startsWith('/') || exchange.url.startsWith('//') || exchange.url.includes('#')) throw new BadRequestTargetError(exchange.url);
  dropConnectionListed(exchange.headers);
  exchange.canonicalPath = canonicalPath(exchange.url);
  exchange.path = trimTrailingSlash(exchange.canonicalPath);
  // On the normalized path, as the key and a fill see it: `/API/x` and `/./api/x` are API
  // traffic, and `/api/../admin` is not (it must not reach the API origin with its token).
  // The rules service's POST /rules/test routes by the same function.
  const { api, page } = context.routes;
  const route = api !== undefined && cacheOfRequest(context.cacheConfig, exchange.canonicalPath, exchange.headers) === 'api' ? api : page;
  exchange.route = route;
  return route;
}

export function recv(exchange: Exchange, context: GatewayContext): RecvResult {
  routeRequest(exchange, context);
  if (context.reservedPaths.has(exchange.rawPath)) {
    exchange.decide('PASS', 'reserved-path');
    return PASS;
  }
  if (context.auth === undefined) return CONTINUE;
  // A cached credential is answered in this turn: the hit path does not wait for a promise.
  const checked = context.auth.check(exchange.headers.authorization, exchange.peerAddress);
  if (checked instanceof Promise) return { kind: 'authenticate', checked };
  admit(exchange, checked);
  return CONTINUE;
}

/**
 * Puts the principal on the exchange, or refuses: 401 (missing, malformed, unknown user and
 * wrong password alike), 429 for an address that failed too often, 403 for PURGE without
 * cache_admin/super_user.
 */
export function admit(exchange: Exchange, result: AuthResult): void {
  if (result.kind === 'refused') throw new AuthRefusedError(result.retryAfterSeconds);
  if (result.kind === 'unauthorized') throw new UnauthorizedError();
  if (exchange.method === PURGE_METHOD && !result.principal.admin) throw new ForbiddenError();
  exchange.principal = result.principal;
}
