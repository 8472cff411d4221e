import { request as httpRequest } from 'node:http';
import { eventually } from '@cairn/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { outcome, startGatewayHarness, type GatewayHarness } from './gateway-harness.js';

/** GETs `path` and drops the connection once the first body bytes arrive. */
function leaveAfterFirstBytes(url: string, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${url}${path}`);
    req.on('response', (response) => {
      response.once('data', () => {
        req.destroy();
        resolve();
      });
    });
    req.on('error', (err: NodeJS.ErrnoException) => (req.destroyed ? undefined : reject(err)));
    req.end();
  });
}

describe('client aborts', () => {
  let h: GatewayHarness;
  const get = (path: string, init?: RequestInit) => fetch(`${h.gateway.url}${path}`, init);

  beforeEach(async () => {
    h = await startGatewayHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  it('counts a client that leaves mid-response apart from origin errors, and abandons the pass at the origin (#9)', async () => {
    let originSawClose = false;
    h.origin.route('/stream', {
      handle: (_request, response) => {
        response.writeHead(200, { 'content-type': 'text/plain' });
        response.write('first part;');
        response.on('close', () => (originSawClose = true));
      },
    });
    await leaveAfterFirstBytes(h.gateway.url, '/stream');
    await eventually(async () => expect(await h.metric('cairn_gateway_client_aborts_total')).toBe('cairn_gateway_client_aborts_total{stage="response"} 1'));
    await eventually(() => expect(originSawClose).toBe(true));
    await eventually(async () => expect(await h.metric('cairn_gateway_origin_connections_busy')).toMatch(/cache="page"} 0/));
    expect(await h.metric('cairn_gateway_origin_errors_total')).toBe('');
  });

  it('abandons a pass at the origin when its client leaves before the answer, without an origin error (#9)', async () => {
    let originSawClose = false;
    h.origin.route('/hang', {
      handle: (_request, response) => {
        response.on('close', () => (originSawClose = true));
      },
    });
    const controller = new AbortController();
    const answer = get('/hang', { signal: controller.signal });
    await eventually(() => expect(h.origin.count('/hang')).toBe(1));
    controller.abort();
    await expect(answer).rejects.toThrow();
    await eventually(() => expect(originSawClose).toBe(true));
    await eventually(async () => expect(await h.metric('cairn_gateway_client_aborts_total')).toBe('cairn_gateway_client_aborts_total{stage="response"} 1'));
    expect(await h.metric('cairn_gateway_origin_errors_total')).toBe('');
  });

  it('counts a client that breaks off its upload apart from origin errors, and frees the origin connection (#9)', async () => {
    const req = httpRequest(`${h.gateway.url}/upload`, { method: 'POST', headers: { 'content-length': 100_000 } });
    req.on('error', () => undefined);
    req.write('x'.repeat(1000));
    await eventually(async () => expect(await h.metric('cairn_gateway_origin_connections_busy')).toMatch(/cache="page"} 1/));
    req.destroy();
    await eventually(async () => expect(await h.metric('cairn_gateway_client_aborts_total')).toBe('cairn_gateway_client_aborts_total{stage="request"} 1'));
    await eventually(async () => expect(await h.metric('cairn_gateway_origin_connections_busy')).toMatch(/cache="page"} 0/));
    expect(await h.metric('cairn_gateway_origin_errors_total')).toBe('');
    expect(h.origin.count('/upload')).toBe(0);
  });

  it('stores a fill whose client left mid-response, counting the abort and no origin error (#9)', async () => {
    await h.applyRule({ id: 'all', pathPatterns: ['^/.*$'], ttl: '1h' });
    let finish: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    h.origin.route('/large', {
      handle: async (_request, response) => {
        // No Content-Length and more than the small-body bound: the fill streams to its client.
        response.writeHead(200, { 'content-type': 'text/plain' });
        response.write('a'.repeat(100_000));
        await finished;
        response.end('z');
      },
    });
    await leaveAfterFirstBytes(h.gateway.url, '/large');
    await eventually(async () => expect(await h.metric('cairn_gateway_client_aborts_total')).toBe('cairn_gateway_client_aborts_total{stage="response"} 1'));
    finish();
    await eventually(async () => expect(await outcome(get('/large'))).toBe('HIT'));
    expect(h.origin.count('/large')).toBe(1);
    expect(await h.metric('cairn_gateway_origin_errors_total')).toBe('');
  });

  it('counts an origin that breaks off a streamed fill as an origin error, not a client abort (#9)', async () => {
    await h.applyRule({ id: 'all', pathPatterns: ['^/.*$'], ttl: '1h' });
    h.origin.route('/torn', {
      handle: (_request, response) => {
        response.writeHead(200, { 'content-type': 'text/plain' });
        response.write('a'.repeat(100_000));
        setImmediate(() => response.destroy());
      },
    });
    await expect(get('/torn').then((r) => r.text())).rejects.toThrow();
    await eventually(async () => expect(await h.metric('cairn_gateway_origin_errors_total')).toMatch(/reason="unavailable"} 1/));
    expect(await h.metric('cairn_gateway_client_aborts_total')).toBe('');
  });
});
