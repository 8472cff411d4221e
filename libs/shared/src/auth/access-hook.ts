/**
 * Access control for the rules and invalidation REST (README, Access control): one fastify
 * `onRequest` hook asking each request's access of `policy`; `/health` and `/ready` never ask
 * (load balancers probe them). 401 carries `WWW-Authenticate`, 429 `Retry-After`; no body
 * says whether the user exists.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuthResult, Authenticator } from './authenticator.js';
import { allows, type Access, type Principal } from './roles.js';

/** RFC 7617 §2: the challenge of every 401. */
export const BASIC_CHALLENGE = 'Basic realm="cairn"';

/** 'open': no credentials asked. */
export type RouteAccess = Access | 'open';

export type AccessPolicy = (method: string, path: string) => RouteAccess;

const OPEN_PATHS = new Set(['/health', '/ready']);

/**
 * The REST policy: reads (GET, HEAD, and the POSTs in `readPosts`, which change nothing) need
 * any role, every other method an admin role.
 */
export function restAccessPolicy(readPosts: ReadonlySet<string> = new Set()): AccessPolicy {
  return (method, path) => {
    if (OPEN_PATHS.has(path)) return 'open';
    if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return 'any-role';
    if (method === 'POST' && readPosts.has(path)) return 'any-role';
    return 'admin';
  };
}

const principals = new WeakMap<FastifyRequest, Principal>();

/** Who the request was authenticated as; undefined when access control is off or the route is open. */
export function principalOf(request: FastifyRequest): Principal | undefined {
  return principals.get(request);
}

export function installAccessControl(app: FastifyInstance, authenticator: Authenticator, policy: AccessPolicy): void {
  app.addHook('onRequest', async (request, reply) => {
    const path = request.url.split('?', 1)[0] as string;
    const access = policy(request.method, path);
    if (access === 'open') return;
    const checked = authenticator.check(request.headers.authorization, request.ip);
    const result = checked instanceof Promise ? await checked : checked;
    if (result.kind === 'ok') {
      if (!allows(result.principal, access)) return refuse(reply, 403, 'CAIRN_FORBIDDEN', 'this user may not do this');
      principals.set(request, result.principal);
      return;
    }
    return answerFailure(reply, result);
  });
}

function answerFailure(reply: FastifyReply, result: Exclude<AuthResult, { kind: 'ok' }>): FastifyReply {
  if (result.kind === 'refused') {
    reply.header('retry-after', String(result.retryAfterSeconds));
    return refuse(reply, 429, 'CAIRN_TOO_MANY_AUTH_FAILURES', 'too many failed logins from this address; try later');
  }
  reply.header('www-authenticate', BASIC_CHALLENGE);
  return refuse(reply, 401, 'CAIRN_UNAUTHORIZED', 'valid credentials are required');
}

function refuse(reply: FastifyReply, status: number, error: string, message: string): FastifyReply {
  return reply.code(status).send({ error, message });
}
