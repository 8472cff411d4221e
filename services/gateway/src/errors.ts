/** The gateway's own errors; each maps to the status the client gets. */
import { CairnError } from '@cairn/shared';

export type OriginTimeoutKind = 'connect' | 'headers' | 'body' | 'deadline';

export class OriginTimeoutError extends CairnError {
  constructor(
    readonly origin: string,
    readonly timeout: OriginTimeoutKind,
    cause: unknown,
  ) {
    super('CAIRN_ORIGIN_TIMEOUT', `origin ${origin} timed out (${timeout})`, { status: 504, cause, details: { origin, timeout } });
  }
}

export class OriginUnavailableError extends CairnError {
  constructor(
    readonly origin: string,
    cause: unknown,
  ) {
    super('CAIRN_ORIGIN_UNAVAILABLE', `origin ${origin} is unavailable`, { status: 502, cause, details: { origin } });
  }
}

export class BadRequestTargetError extends CairnError {
  constructor(target: string) {
    super('CAIRN_BAD_REQUEST_TARGET', `request target ${JSON.stringify(target.slice(0, 200))} is not an origin-form path`, { status: 400 });
  }
}

/**
 * A target whose path is not valid percent-encoded UTF-8 (`/%zz`, a cut `%E0%A4`). The
 * code and message are those fastify's router answered with before the proxy port left
 * fastify, so clients and dashboards see the same 400.
 */
export class MalformedTargetError extends CairnError {
  constructor(target: string) {
    super('FST_ERR_BAD_URL', `'${target.slice(0, 200)}' is not a valid url component`, { status: 400 });
  }
}

/**
 * The origin failure of a fill, as seen by a request that waited for it: the same answer
 * (code and status), but not another origin error to count.
 */
export class SharedOriginFailure extends CairnError {
  constructor(failure: unknown) {
    const cairn = failure instanceof CairnError ? failure : undefined;
    super(cairn?.code ?? 'CAIRN_ORIGIN_UNAVAILABLE', cairn?.message ?? 'origin fetch failed', { status: cairn?.status ?? 502, cause: failure, details: cairn?.details ?? {} });
  }
}

/** The `reason` label of cairn_gateway_origin_errors_total for an origin failure, if it is one. */
export function originErrorReason(err: unknown): string | undefined {
  if (err instanceof OriginTimeoutError) return `timeout-${err.timeout}`;
  if (err instanceof OriginUnavailableError) return 'unavailable';
  return undefined;
}

export type OriginBusyReason = 'queue-full' | 'queue-timeout';

/**
 * Every connection to the origin is in use and this request could not wait for one: the
 * queue was full (503, as Varnish's "backend busy") or the wait passed
 * ORIGIN_QUEUE_TIMEOUT_MS (504). The origin never saw the request, so it is not an
 * origin error; cairn_gateway_origin_queue_rejections_total counts it.
 */
export class OriginBusyError extends CairnError {
  constructor(
    readonly origin: string,
    readonly reason: OriginBusyReason,
  ) {
    super('CAIRN_ORIGIN_BUSY', `origin ${origin} has no free connection (${reason})`, {
      status: reason === 'queue-full' ? 503 : 504,
      details: { origin, reason },
    });
  }
}

export type ClientAbortStage = 'request' | 'response';

/**
 * The client went away: its request body broke off, or it closed the connection before
 * the answer was complete. Not an origin error (cairn_gateway_client_aborts_total counts
 * it). The status is nginx's 499 "client closed request": nobody is left to receive it.
 */
export class ClientAbortedError extends CairnError {
  constructor(
    readonly stage: ClientAbortStage,
    cause?: unknown,
  ) {
    super('CAIRN_CLIENT_ABORTED', `the client closed the connection (${stage})`, { status: 499, cause, details: { stage } });
  }
}

/**
 * A PURGE's invalidation was not confirmed within PURGE_TIMEOUT_MS (the invalidation
 * service is down or slow). Its command may still be in the queue and be applied later.
 */
export class PurgeTimeoutError extends CairnError {
  constructor(readonly url: string, readonly timeoutMs: number) {
    super('CAIRN_PURGE_TIMEOUT', `purge of ${JSON.stringify(url.slice(0, 200))} not confirmed within ${timeoutMs} ms`, { status: 504, details: { timeoutMs } });
  }
}

/** A PURGE's invalidation could not be queued, or the invalidation service refused it. */
export class PurgeFailedError extends CairnError {
  constructor(readonly url: string, readonly problem: string, cause?: unknown) {
    super('CAIRN_PURGE_FAILED', `purge of ${JSON.stringify(url.slice(0, 200))} failed: ${problem}`, { status: 502, cause, details: { problem } });
  }
}

/** Missing, malformed or wrong credentials (README, Access control): 401 with the Basic challenge; never says which. */
export class UnauthorizedError extends CairnError {
  constructor() {
    super('CAIRN_UNAUTHORIZED', 'valid credentials are required', { status: 401 });
  }
}

/** A valid user without the role the request needs: 403. */
export class ForbiddenError extends CairnError {
  constructor() {
    super('CAIRN_FORBIDDEN', 'this user may not do this', { status: 403 });
  }
}

/** The client's address failed to log in too often: 429 with Retry-After (RFC 6585 §4). */
export class AuthRefusedError extends CairnError {
  constructor(readonly retryAfterSeconds: number) {
    super('CAIRN_TOO_MANY_AUTH_FAILURES', 'too many failed logins from this address; try later', { status: 429, details: { retryAfterSeconds } });
  }
}
