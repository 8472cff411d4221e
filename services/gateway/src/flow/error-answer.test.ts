import { describe, expect, it } from 'vitest';
import { BadRequestTargetError, ClientAbortedError, OriginBusyError, OriginTimeoutError, OriginUnavailableError, PurgeFailedError, PurgeTimeoutError, SharedOriginFailure } from '../errors.js';
import { clientErrorAnswer, errorAnswer, rawAnswer } from './error-answer.js';

const ORIGIN = 'http://10.1.2.3:8443';

describe('errorAnswer', () => {
  it.each([
    ['an unavailable origin', new OriginUnavailableError(ORIGIN, new Error('ECONNREFUSED')), 502, 'CAIRN_ORIGIN_UNAVAILABLE', 'origin-unavailable', true],
    ['an origin past the deadline', new OriginTimeoutError(ORIGIN, 'deadline', undefined), 504, 'CAIRN_ORIGIN_TIMEOUT', 'origin-timeout', true],
    ['a full origin queue', new OriginBusyError(ORIGIN, 'queue-full'), 503, 'CAIRN_ORIGIN_BUSY', 'origin-busy', false],
    ['a queue wait past its bound', new OriginBusyError(ORIGIN, 'queue-timeout'), 504, 'CAIRN_ORIGIN_BUSY', 'origin-busy', false],
    ['a waiter of a failed fill', new SharedOriginFailure(new OriginUnavailableError(ORIGIN, undefined)), 502, 'CAIRN_ORIGIN_UNAVAILABLE', 'origin-unavailable', true],
    ['a client that went away', new ClientAbortedError('request'), 499, 'CAIRN_CLIENT_ABORTED', 'client-aborted', false],
    ['a target that is not a path', new BadRequestTargetError('//evil.example/'), 400, 'CAIRN_BAD_REQUEST_TARGET', 'bad-request', false],
    ['a framework 4xx', Object.assign(new Error('bad url'), { statusCode: 400, code: 'FST_ERR_BAD_URL' }), 400, 'FST_ERR_BAD_URL', 'bad-request', false],
    ['a bug', new TypeError(`cannot read ${ORIGIN}`), 500, 'CAIRN_INTERNAL', 'internal-error', false],
  ] as const)('answers %s with its status, code and reason (RFC 9211 detail) (#10)', (_name, err, status, code, reason, forwarded) => {
    const answer = errorAnswer(err);
    expect([answer.status, answer.body.error, answer.reason, answer.forwarded]).toEqual([status, code, reason, forwarded]);
    // The origin's address stays out of what the client reads.
    expect(JSON.stringify(answer.body)).not.toContain('10.1.2.3');
  });

  it.each([
    ['an unconfirmed purge', new PurgeTimeoutError('/p?x=1', 5000), 504, 'CAIRN_PURGE_TIMEOUT', 'purge-timeout', 'the invalidation was not confirmed in time'],
    ['a refused purge', new PurgeFailedError('/p?x=1', 'not-queued', new Error('503')), 502, 'CAIRN_PURGE_FAILED', 'purge-failed', 'the invalidation could not be applied'],
  ] as const)('answers %s with its status, code, reason and a fixed message (#11)', (_name, err, status, code, reason, message) => {
    const answer = errorAnswer(err);
    expect([answer.status, answer.body, answer.reason, answer.forwarded]).toEqual([status, { error: code, message }, reason, false]);
  });

  it('keeps the origin for the log (#10)', () => {
    expect(errorAnswer(new SharedOriginFailure(new OriginTimeoutError(ORIGIN, 'headers', undefined))).origin).toBe(ORIGIN);
  });
});

describe('clientErrorAnswer', () => {
  it.each([
    ['ERR_HTTP_REQUEST_TIMEOUT', 408, 'request-timeout'],
    ['HPE_HEADER_OVERFLOW', 431, 'header-too-large'],
    // RFC 9110 §9.1: a method the server does not recognize is 501.
    ['HPE_INVALID_METHOD', 501, 'method-not-implemented'],
    ['HPE_INVALID_VERSION', 400, 'bad-request'],
    [undefined, 400, 'bad-request'],
  ] as const)('answers a parser error %s with %i (#10)', (code, status, reason) => {
    expect(clientErrorAnswer(code)).toMatchObject({ status, reason });
  });

  it('writes a complete answer that closes the connection', () => {
    const raw = rawAnswer(400, { error: 'E', message: 'm' }, [['x-cairn-cache', 'PASS']]);
    expect(raw).toBe('HTTP/1.1 400 Bad Request\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: 27\r\nconnection: close\r\nx-cairn-cache: PASS\r\n\r\n{"error":"E","message":"m"}');
  });
});
