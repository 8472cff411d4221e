import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayHarness, type GatewayHarness } from './gateway-harness.js';

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** Whether the gateway sent `100 Continue` before the final answer. */
  continued: boolean;
}

/**
 * A request that waits for `100 Continue` before sending its body, as curl and many HTTP
 * clients do for uploads; the body goes out only on `100 Continue` (never after a final answer).
 */
function sendExpecting(url: string, method: string, path: string, body: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    let continued = false;
    const req = httpRequest(`${url}${path}`, {
      method,
      headers: { expect: '100-continue', 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) },
    });
    req.on('continue', () => {
      continued = true;
      req.end(body);
    });
    req.on('response', (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text, continued }));
      response.on('error', reject);
    });
    req.on('error', reject);
    req.flushHeaders();
  });
}

describe('Expect: 100-continue', () => {
  let h: GatewayHarness;

  beforeAll(async () => {
    h = await startGatewayHarness();
    h.origin.route('/upload', { body: (request) => `got ${request.method} ${request.body}` });
  });
  afterAll(async () => {
    await h.close();
  });

  it.each(['POST', 'PUT'])('answers 100 Continue to a %s and the body reaches the origin intact, without Expect (#9)', async (method) => {
    const body = `payload ${'z'.repeat(20_000)} end`;
    const answer = await sendExpecting(h.gateway.url, method, '/upload', body);
    expect([answer.status, answer.continued, answer.body]).toEqual([200, true, `got ${method} ${body}`]);
    const seen = h.origin.requests.filter((r) => r.url === '/upload' && r.method === method).at(-1);
    expect(seen?.body).toBe(body);
    expect(seen?.headers.expect).toBeUndefined();
    expect(await h.metric('cairn_gateway_origin_errors_total')).toBe('');
  });

  it('answers a request it refuses without asking for its body (#9)', async () => {
    const answer = await sendExpecting(h.gateway.url, 'POST', '//other.example/upload', 'never sent');
    expect([answer.status, answer.continued]).toEqual([400, false]);
  });

  it('answers an expectation it cannot meet with 417 (#9)', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(`${h.gateway.url}/upload`, { method: 'POST', headers: { expect: 'something-else', 'content-length': 0 } });
      req.on('response', (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(417);
    expect(h.origin.requests.some((r) => r.headers.expect !== undefined)).toBe(false);
    expect(await h.metric('cairn_gateway_origin_errors_total')).toBe('');
  });
});
