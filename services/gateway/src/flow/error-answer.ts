/**
 * The answers the gateway makes itself (README, Answers the gateway makes itself): for an error, its status, its
 * `{error, message}` body and the reason Cache-Status and the requests metric name. A 5xx
 * body says what failed in words of a closed set, never an error's own message: those name
 * the origin's address, which stays in the log (`origin` field). Writes nothing.
 */
import { STATUS_CODES } from 'node:http';
import { CairnError, toErrorResponse, type ErrorBody } from '@cairn/shared';
import { ClientAbortedError, OriginBusyError, OriginTimeoutError, OriginUnavailableError, SharedOriginFailure } from '../errors.js';
import type { ErrorReason } from './outcome.js';

export interface ErrorAnswer {
  status: number;
  body: ErrorBody;
  reason: ErrorReason;
  /** The request went to the origin, which failed (Cache-Status `fwd`). */
  forwarded: boolean;
  /** For the log only. */
  origin: string | undefined;
}

const ORIGIN_CODES: Record<string, ErrorReason> = {
  CAIRN_ORIGIN_UNAVAILABLE: 'origin-unavailable',
  CAIRN_ORIGIN_TIMEOUT: 'origin-timeout',
  CAIRN_ORIGIN_BUSY: 'origin-busy',
  CAIRN_PURGE_TIMEOUT: 'purge-timeout',
  CAIRN_PURGE_FAILED: 'purge-failed',
  CAIRN_UNAUTHORIZED: 'unauthorized',
  CAIRN_FORBIDDEN: 'forbidden',
  CAIRN_TOO_MANY_AUTH_FAILURES: 'auth-refused',
};

const PUBLIC_MESSAGES: Partial<Record<ErrorReason, string>> = {
  'origin-unavailable': 'the origin is unavailable',
  'origin-timeout': 'the origin did not answer in time',
  'origin-busy': 'the origin has no free connection',
  'internal-error': 'internal error',
  'purge-timeout': 'the invalidation was not confirmed in time',
  'purge-failed': 'the invalidation could not be applied',
};

function statusReason(status: number): ErrorReason {
  if (status === 408) return 'request-timeout';
  if (status === 431) return 'header-too-large';
  if (status === 501) return 'method-not-implemented';
  return status < 500 ? 'bad-request' : 'internal-error';
}

function reasonOf(err: unknown, status: number): ErrorReason {
  if (err instanceof ClientAbortedError) return 'client-aborted';
  if (err instanceof CairnError) return ORIGIN_CODES[err.code] ?? statusReason(status);
  return statusReason(status);
}

function originOf(err: unknown): string | undefined {
  if (err instanceof OriginUnavailableError || err instanceof OriginTimeoutError || err instanceof OriginBusyError) return err.origin;
  if (err instanceof SharedOriginFailure) return originOf(err.cause);
  return undefined;
}

export function errorAnswer(err: unknown): ErrorAnswer {
  const { status, body } = toErrorResponse(err);
  const reason = reasonOf(err, status);
  const message = PUBLIC_MESSAGES[reason];
  return {
    status,
    body: message === undefined ? body : { error: body.error, message },
    reason,
    forwarded: reason === 'origin-unavailable' || reason === 'origin-timeout',
    origin: originOf(err),
  };
}

/** A request node's HTTP parser refused, before the proxy saw it (the `clientError` event). */
export function clientErrorAnswer(code: string | undefined): { status: number; body: ErrorBody; reason: ErrorReason } {
  switch (code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, reason: 'request-timeout', body: { error: 'CAIRN_REQUEST_TIMEOUT', message: 'the request did not arrive in time' } };
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, reason: 'header-too-large', body: { error: 'CAIRN_HEADER_TOO_LARGE', message: 'the request header is too large' } };
    case 'HPE_INVALID_METHOD':
      // RFC 9110 §9.1: an unrecognized method is answered 501, not 400.
      return { status: 501, reason: 'method-not-implemented', body: { error: 'CAIRN_METHOD_NOT_IMPLEMENTED', message: 'the request method is not supported' } };
    default:
      return { status: 400, reason: 'bad-request', body: { error: 'CAIRN_BAD_REQUEST', message: 'malformed request' } };
  }
}

/** The raw HTTP/1.1 answer for a socket no reply was made for; the connection closes after it. */
export function rawAnswer(status: number, body: ErrorBody, gatewayHeaders: ReadonlyArray<readonly [string, string]>): string {
  const payload = JSON.stringify(body);
  let head = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(payload)}\r\nconnection: close\r\n`;
  for (const [name, value] of gatewayHeaders) head += `${name}: ${value}\r\n`;
  return `${head}\r\n${payload}`;
}
