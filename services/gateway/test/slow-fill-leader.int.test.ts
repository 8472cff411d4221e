/**
 * A client that leads a fill and never reads its answer does not hold the fill back:
 * whoever asks for the same key meanwhile gets the answer once the origin has sent it (#9).
 */
import { connect as connectTcp, type Socket } from 'node:net';
import { headers as cairnHeaders } from '@cairn/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayHarness, type GatewayHarness } from './gateway-harness.js';

const BIG = 8 * 1024 * 1024;

describe('a fill led by a client that does not read', () => {
  let h: GatewayHarness;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    h = await startGatewayHarness();
    await h.applyRule({ id: 'all', description: '', pathPatterns: ['^/.*$'], ttl: '1h' });
    h.origin.route('/big', { body: 'b'.repeat(BIG) });
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await h.close();
  });

  it('answers a second client of the same key in full while the leader never reads (#9)', async () => {
    const { port } = new URL(h.gateway.url);
    const leader = connectTcp(Number(port), '127.0.0.1');
    sockets.push(leader);
    leader.on('error', () => undefined);
    leader.pause();
    leader.write('GET /big HTTP/1.1\r\nHost: gateway.test\r\n\r\n');
    // The leader's fill is in flight once the origin has been asked.
    await new Promise<void>((resolve, reject) => {
      const deadline = Date.now() + 10_000;
      const poll = () => (h.origin.count('/big') > 0 ? resolve() : Date.now() > deadline ? reject(new Error('no fill')) : setTimeout(poll, 10));
      poll();
    });

    const second = await fetch(`${h.gateway.url}/big`);
    expect(second.status).toBe(200);
    expect((await second.text()).length).toBe(BIG);
    expect(second.headers.get(cairnHeaders.cache)).toMatch(/MISS|HIT/);
    expect(h.origin.count('/big')).toBe(1);
  });
});
