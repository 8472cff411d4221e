/**
 * Answers the gateway makes itself (errors, refusals) are marked like every other answer
 * (`x-cairn-cache`, RFC 9211 Cache-Status), counted, and never show the origin's address.
 */
import { eventually } from '@cairn/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayHarness, type GatewayHarness } from './gateway-harness.js';
import { parseRaw, send, sendBytes } from './raw-http.js';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

describe('answers the gateway makes itself', () => {
  let h: GatewayHarness;
  let originAddress: string;
  const url = (path: string) => `${h.gateway.url}${path}`;
  const held: Array<() => void> = [];

  /** Both marks, a JSON `{error, message}` body, and the origin's address nowhere in it. */
  function expectGatewayAnswer(answer: Answer, status: number, cache: string, cacheStatus: string, error: string): void {
    expect(answer.status).toBe(status);
    expect(answer.headers['x-cairn-cache']).toBe(cache);
    expect(answer.headers['cache-status']).toBe(cacheStatus);
    expect(Object.keys(JSON.parse(answer.body) as object).sort()).toEqual(['error', 'message']);
    expect((JSON.parse(answer.body) as { error: string }).error).toBe(error);
    const everything = `${answer.body}\n${JSON.stringify(answer.headers)}`;
    expect(everything).not.toContain(originAddress);
    expect(everything).not.toContain(String(h.origin.port));
  }

  beforeAll(async () => {
    h = await startGatewayHarness(() => ({}), { REQUEST_TIMEOUT_MS: '300', MAX_CONNECTIONS: '2', ORIGIN_QUEUE_LIMIT: '1', ORIGIN_QUEUE_TIMEOUT_MS: '5000' });
    originAddress = new URL(h.origin.url).host;
    await h.applyRule({ id: 'all', pathPatterns: ['^/.*$'], ttl: '1h' });
    await h.applyRule({ id: 'uncached', pathPatterns: ['^/nocache/.*$'], ttl: 'no_cache' });
    h.origin.route('/broken', { handle: (_request, response) => void response.socket?.destroy() });
    h.origin.route('/nocache/broken', { handle: (_request, response) => void response.socket?.destroy() });
    h.origin.route('/slow', { delayMs: 1000 });
    h.origin.route('/broken-later', { delayMs: 200, handle: (_request, response) => void response.socket?.destroy() });
    h.origin.route('/held', { handle: (_request, response) => void held.push(() => response.end('held')) });
  });
  afterAll(async () => {
    for (const release of held) release();
    await h.close();
  });

  it('answers 502 to a miss whose origin fails, with the fill\'s outcome and the failure as detail (#10)', async () => {
    expectGatewayAnswer(await send(url('/broken'), 'GET'), 502, 'MISS', 'cairn; fwd=uri-miss; detail=origin-unavailable', 'CAIRN_ORIGIN_UNAVAILABLE');
    expect(await h.metric('cairn_gateway_requests_total{cache="page",outcome="MISS",reason="origin-unavailable"}')).toMatch(/ 1$/);
    expect(await h.metric('cairn_gateway_origin_errors_total')).toMatch(/reason="unavailable"} 1/);
  });

  it('answers 502 to a pass whose origin fails (#10)', async () => {
    expectGatewayAnswer(await send(url('/broken'), 'POST', { body: 'x' }), 502, 'PASS', 'cairn; fwd=method; detail=origin-unavailable', 'CAIRN_ORIGIN_UNAVAILABLE');
    expectGatewayAnswer(await send(url('/nocache/broken'), 'GET'), 502, 'PASS', 'cairn; fwd=bypass; detail=origin-unavailable', 'CAIRN_ORIGIN_UNAVAILABLE');
    expect(await h.metric('cairn_gateway_requests_total{cache="page",outcome="PASS",reason="origin-unavailable"}')).toMatch(/ 2$/);
  });

  it('answers 504 when the origin passes the deadline (#10)', async () => {
    expectGatewayAnswer(await send(url('/slow'), 'GET'), 504, 'MISS', 'cairn; fwd=uri-miss; detail=origin-timeout', 'CAIRN_ORIGIN_TIMEOUT');
    expect(await h.metric('cairn_gateway_requests_total{cache="page",outcome="MISS",reason="origin-timeout"}')).toMatch(/ 1$/);
  });

  it('gives waiters of a failed fill the same marked answer, collapsed (#10)', async () => {
    // Held at the origin long enough for the others to join the first one's fill.
    const answers = await Promise.all([send(url('/broken-later'), 'GET'), send(url('/broken-later'), 'GET'), send(url('/broken-later'), 'GET')]);
    expect(h.origin.count('/broken-later')).toBe(1);
    expect(answers.map((answer) => answer.headers['cache-status']).sort()).toEqual([
      'cairn; fwd=uri-miss; collapsed; detail=origin-unavailable',
      'cairn; fwd=uri-miss; collapsed; detail=origin-unavailable',
      'cairn; fwd=uri-miss; detail=origin-unavailable',
    ]);
    for (const answer of answers) expectGatewayAnswer(answer, 502, 'MISS', answer.headers['cache-status'] as string, 'CAIRN_ORIGIN_UNAVAILABLE');
  });

  it('answers 503 when every origin connection and the queue are taken, not forwarded (#10)', async () => {
    const first = send(url('/held?n=1'), 'GET');
    const second = send(url('/held?n=2'), 'GET');
    await eventually(() => expect(held.length).toBe(2));
    const queued = send(url('/held?n=3'), 'GET');
    await eventually(async () => expect(await h.metric('cairn_gateway_origin_queue_waiting')).toMatch(/ 1$/));
    expectGatewayAnswer(await send(url('/held?n=4'), 'GET'), 503, 'MISS', 'cairn; detail=origin-busy', 'CAIRN_ORIGIN_BUSY');
    for (let i = 0; i < 3; i++) {
      await eventually(() => expect(held.length).toBeGreaterThan(i));
      held[i]?.();
    }
    expect((await Promise.all([first, second, queued])).map((answer) => answer.status)).toEqual([200, 200, 200]);
  });

  it('answers only-if-cached with nothing stored by a marked 504 (#10)', async () => {
    expectGatewayAnswer(await send(url('/never-stored'), 'GET', { headers: { 'cache-control': 'only-if-cached' } }), 504, 'MISS', 'cairn; detail=only-if-cached', 'CAIRN_NOT_CACHED');
  });

  it('answers a target that is not a path with a marked 400 before any exchange decision (#10)', async () => {
    const answer = parseRaw(await sendBytes(h.gateway.url, 'GET //other.example/x HTTP/1.1\r\nHost: gateway.test\r\nConnection: close\r\n\r\n'));
    expectGatewayAnswer(answer, 400, 'PASS', 'cairn; detail=bad-request', 'CAIRN_BAD_REQUEST_TARGET');
  });

  it('answers a URL the router cannot decode with a marked 400 (#10)', async () => {
    const answer = parseRaw(await sendBytes(h.gateway.url, 'GET /%zz%E0%A4%A HTTP/1.1\r\nHost: gateway.test\r\nConnection: close\r\n\r\n'));
    expectGatewayAnswer(answer, 400, 'PASS', 'cairn; detail=bad-request', 'FST_ERR_BAD_URL');
  });

  it.each([
    ['a header too large for node\'s parser', `GET / HTTP/1.1\r\nHost: gateway.test\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`, 431, 'header-too-large', 'CAIRN_HEADER_TOO_LARGE'],
    ['a malformed request line', 'GET / HTTP/9.9\r\nHost: gateway.test\r\n\r\n', 400, 'bad-request', 'CAIRN_BAD_REQUEST'],
    ['conflicting framing', 'POST / HTTP/1.1\r\nHost: gateway.test\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n', 400, 'bad-request', 'CAIRN_BAD_REQUEST'],
  ] as const)('answers %s on the socket with its own marked answer (#10)', async (_name, bytes, status, reason, error) => {
    expectGatewayAnswer(parseRaw(await sendBytes(h.gateway.url, bytes)), status, 'PASS', `cairn; detail=${reason}`, error);
    expect(await h.metric(`cairn_gateway_requests_total{cache="page",outcome="PASS",reason="${reason}"}`)).toMatch(/ [1-9]\d*$/);
  });
});
