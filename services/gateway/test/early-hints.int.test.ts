/**
 * `103 Early Hints` (RFC 8297) from a real node origin reach the client the origin is
 * answering (a pass, a fill's leader), never a hit, and are never stored.
 */
import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayHarness, type GatewayHarness } from './gateway-harness.js';
import { send } from './raw-http.js';

describe('103 Early Hints', () => {
  let h: GatewayHarness;
  const url = (path: string) => `${h.gateway.url}${path}`;

  beforeAll(async () => {
    h = await startGatewayHarness();
    await h.applyRule({ id: 'all', pathPatterns: ['^/.*$'], ttl: '1h' });
    await h.applyRule({ id: 'uncached', pathPatterns: ['^/pass/.*$'], ttl: 'no_cache' });
    const hinting = {
      handle: (_request: unknown, response: ServerResponse) => response.writeEarlyHints({ link: '</a.css>; rel=preload; as=style' }, () => response.end('page')),
    };
    h.origin.route('/hinted', hinting);
    // Hints at once, the answer later: long enough for a second request to join the fill.
    h.origin.route('/hinted-slow', {
      handle: (_request, response) => response.writeEarlyHints({ link: '</b.js>; rel=preload' }, () => void setTimeout(() => response.end('slow page'), 300)),
    });
    h.origin.route('/pass/hinted', hinting);
    h.origin.route('/pass/forged-hint', {
      handle: (_request: unknown, response: ServerResponse) =>
        response.writeEarlyHints({ link: '</a.css>; rel=preload', 'x-cairn-cache': 'HIT', 'cache-status': 'cairn; hit' }, () => response.end('page')),
    });
    h.origin.route('/bad-hint', {
      handle: (_request, response) => {
        // One Link line naming two links, written raw: node's writeEarlyHints refuses such a value.
        response.socket?.write('HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload, </b.js>; rel=preload\r\n\r\n', () => response.end('page'));
      },
    });
  });
  afterAll(async () => {
    await h.close();
  });

  it('passes the origin\'s 103 on to the client of a fill, and not to a later hit (#10)', async () => {
    const miss = await send(url('/hinted'), 'GET');
    expect([miss.status, miss.body, miss.headers['x-cairn-cache']]).toEqual([200, 'page', 'MISS']);
    expect(miss.informational).toEqual([{ status: 103, headers: { link: '</a.css>; rel=preload; as=style' } }]);
    const hit = await send(url('/hinted'), 'GET');
    expect([hit.headers['x-cairn-cache'], hit.informational]).toEqual(['HIT', []]);
    expect(hit.headers.link).toBeUndefined();
    expect(await h.metric('cairn_gateway_early_hints_total')).toMatch(/result="relayed"} 1$/);
  });

  it('passes the hints to the fill\'s leader only, not to a request that waited for it (#10)', async () => {
    const answers = await Promise.all([send(url('/hinted-slow'), 'GET'), send(url('/hinted-slow'), 'GET')]);
    expect(h.origin.count('/hinted-slow')).toBe(1);
    expect(answers.map((answer) => answer.body)).toEqual(['slow page', 'slow page']);
    expect(answers.map((answer) => answer.informational.length).sort()).toEqual([0, 1]);
  });

  it('passes the origin\'s 103 on to the client of a pass, whatever the method (#10)', async () => {
    for (const method of ['GET', 'POST', 'PROPFIND']) {
      const pass = await send(url('/pass/hinted'), method, { body: method === 'GET' ? undefined : 'x' });
      expect([pass.status, pass.headers['x-cairn-cache']]).toEqual([200, 'PASS']);
      expect(pass.informational.map((info) => [info.status, info.headers.link])).toEqual([[103, '</a.css>; rel=preload; as=style']]);
    }
  });

  it('drops a hint node cannot send on, counts it, and answers all the same (#10)', async () => {
    const answer = await send(url('/bad-hint'), 'GET');
    expect([answer.status, answer.body, answer.informational]).toEqual([200, 'page', []]);
    expect(await h.metric('cairn_gateway_early_hints_total')).toMatch(/result="dropped"} 1$/);
  });

  it('never passes on the gateway\'s own fields from an origin\'s hint (#10)', async () => {
    const pass = await send(url('/pass/forged-hint'), 'GET');
    expect(pass.informational).toEqual([{ status: 103, headers: { link: '</a.css>; rel=preload' } }]);
  });
});
