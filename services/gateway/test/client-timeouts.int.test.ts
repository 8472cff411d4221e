import { connect as connectTcp, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayHarness, type GatewayHarness } from './gateway-harness.js';

/** A raw connection to the gateway: what it received, and a promise of its close. */
function rawConnection(url: string): Promise<{ socket: Socket; received: () => string; closed: Promise<void> }> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    let received = '';
    const socket = connectTcp(Number(port), '127.0.0.1', () => resolve({ socket, received: () => received, closed }));
    const closed = new Promise<void>((done) => socket.once('close', () => done()));
    socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
    // A reset from the gateway is a close too.
    socket.on('error', () => undefined);
    socket.once('error', reject);
  });
}

describe('client connection timeouts', () => {
  let h: GatewayHarness;

  beforeAll(async () => {
    h = await startGatewayHarness(() => ({}), { CLIENT_HEADER_TIMEOUT_MS: '300', CLIENT_REQUEST_TIMEOUT_MS: '600', CLIENT_KEEPALIVE_TIMEOUT_MS: '300' });
  });
  afterAll(async () => {
    await h.close();
  });

  it('closes a connection that never sends a byte once the header timeout passes (#9)', async () => {
    const connection = await rawConnection(h.gateway.url);
    await connection.closed;
    expect(connection.received()).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('cuts off a slowloris that sends its header a byte at a time (#9)', async () => {
    const connection = await rawConnection(h.gateway.url);
    // Longer than the header bound could ever let through at one byte per 20 ms.
    const header = `GET / HTTP/1.1\r\nHost: gateway.test\r\nX-Slow: ${'s'.repeat(1000)}\r\n\r\n`;
    let sent = 0;
    let open = true;
    void connection.closed.then(() => (open = false));
    while (open && sent < header.length) {
      connection.socket.write(header[sent++]!);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await connection.closed;
    expect(sent).toBeLessThan(header.length);
    expect(h.origin.count()).toBe(0);
  });

  it('closes an idle keep-alive connection after its timeout (#9)', async () => {
    const connection = await rawConnection(h.gateway.url);
    connection.socket.write('GET /once HTTP/1.1\r\nHost: gateway.test\r\n\r\n');
    await connection.closed;
    expect(connection.received()).toMatch(/^HTTP\/1\.1 200 /);
    expect(connection.received()).toContain('origin:/once');
    expect(h.origin.count('/once')).toBe(1);
  });

  it('answers requests normally within the bounds', async () => {
    const response = await fetch(`${h.gateway.url}/normal`);
    expect([response.status, await response.text()]).toEqual([200, 'origin:/normal']);
  });
});
