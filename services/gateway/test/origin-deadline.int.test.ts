/**
 * The outer deadline (REQUEST_TIMEOUT_MS) bounds every origin request, and every origin
 * answer gives its connection back — even after a garbage collection, and even when the
 * answer cannot be delivered (#9: a leaked connection starves the pool for good).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayHarness, type GatewayHarness } from './gateway-harness.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

describe('origin deadline', () => {
  let h: GatewayHarness;

  beforeAll(async () => {
    h = await startGatewayHarness(() => ({}), { REQUEST_TIMEOUT_MS: '500', MAX_CONNECTIONS: '1', ORIGIN_QUEUE_TIMEOUT_MS: '5000' });
    // A pass: no rule matches, so the client's request is proxied as it is.
    h.origin.route('/trickle', {
      handle: async (_request, response) => {
        response.writeHead(200, { 'content-type': 'text/plain' });
        for (let i = 0; i < 30 && !response.destroyed; i++) {
          response.write('x');
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        response.end();
      },
    });
    h.origin.route('/bad-status', { status: 600, body: 'no such status' });
    h.origin.route('/ok', { body: 'ok' });
  });
  afterAll(async () => {
    await h.close();
  });

  it('cuts a pass off at REQUEST_TIMEOUT_MS even after a garbage collection (#9)', async () => {
    const response = await fetch(`${h.gateway.url}/trickle`);
    setTimeout(gc, 100);
    let received = 0;
    await expect(
      (async () => {
        for await (const chunk of response.body as AsyncIterable<Uint8Array>) received += chunk.length;
      })(),
    ).rejects.toThrow();
    // The origin would have sent 30 bytes over 3 s; the deadline ended it well before.
    expect(received).toBeLessThan(30);
  });

  it('answers 502 to a status outside 100–599 and gives the origin connection back (#9)', async () => {
    const bad = await fetch(`${h.gateway.url}/bad-status`);
    expect(bad.status).toBe(502);
    await bad.arrayBuffer();
    gc();
    // With MAX_CONNECTIONS=1 a leaked connection would make this wait, then 504.
    const ok = await fetch(`${h.gateway.url}/ok`);
    expect([ok.status, await ok.text()]).toEqual([200, 'ok']);
  });
});
