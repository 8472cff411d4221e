import { eventually } from '@cairn/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { startGatewayHarness, type GatewayHarness } from './gateway-harness.js';

/** A gate the test opens: origin answers held behind it stay in flight until then. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

describe('origin connection queue', () => {
  let h: GatewayHarness;
  const get = (path: string) => fetch(`${h.gateway.url}${path}`);
  /** The unique slow URLs in flight, each held at the origin until its gate opens. */
  const slowGates: Array<{ opened: Promise<void>; open: () => void }> = [];

  async function start(env: Record<string, string>): Promise<void> {
    h = await startGatewayHarness(() => ({}), { MAX_CONNECTIONS: '4', ...env });
    await h.applyRule({ id: 'all', pathPatterns: ['^/.*$'], ttl: '1h' });
    h.origin.route('/slow', {
      handle: async (request, response) => {
        await slowGates[Number(new URL(request.url, 'http://origin').searchParams.get('n'))]?.opened;
        response.end(`slow ${request.url}`);
      },
    });
  }

  /** `count` slow unique URLs, each a fill of its own key, held at the origin. */
  function holdSlow(count: number): Array<Promise<Response>> {
    return Array.from({ length: count }, () => {
      const n = slowGates.push(gate()) - 1;
      return get(`/slow?n=${n}`);
    });
  }

  afterEach(async () => {
    for (const g of slowGates) g.open();
    slowGates.length = 0;
    await h.close();
  });

  it('answers an unrelated miss with a fast 504 while slow URLs hold every origin connection, before any of them is answered (#9)', async () => {
    await start({ ORIGIN_QUEUE_TIMEOUT_MS: '200' });
    const slow = holdSlow(4);
    let slowAnswered = 0;
    for (const answer of slow) void answer.then(() => slowAnswered++);
    await eventually(() => expect(h.origin.count('/slow')).toBe(4));

    const unrelated = await get('/unrelated');
    expect(unrelated.status).toBe(504);
    expect(((await unrelated.json()) as { error: string }).error).toBe('CAIRN_ORIGIN_BUSY');
    expect(h.origin.count('/unrelated')).toBe(0);
    // Every slow answer is still held at the origin: the 504 did not wait for them.
    expect(slowAnswered).toBe(0);
    expect(await h.metric('cairn_gateway_origin_queue_rejections_total')).toMatch(/cache="page",reason="queue-timeout"} 1/);
    expect(await h.metric('cairn_gateway_origin_errors_total')).toBe('');

    for (const g of slowGates) g.open();
    expect((await Promise.all(slow)).map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect((await get('/unrelated')).status).toBe(200);
  });

  it('gives a freed origin connection to the request that waited longest, while the other slow URLs are still held (#9)', async () => {
    await start({ ORIGIN_QUEUE_TIMEOUT_MS: '20000' });
    const slow = holdSlow(4);
    await eventually(() => expect(h.origin.count('/slow')).toBe(4));
    const unrelated = get('/unrelated');
    await eventually(async () => expect(await h.metric('cairn_gateway_origin_queue_waiting')).toMatch(/cache="page"} 1/));

    slowGates[0]!.open();
    const answer = await unrelated;
    expect([answer.status, await answer.text()]).toEqual([200, 'origin:/unrelated']);
    expect(await h.metric('cairn_gateway_origin_connections_busy')).toMatch(/cache="page"} [1-4]/);
    expect(h.origin.count('/slow')).toBe(4);

    for (const g of slowGates) g.open();
    expect((await Promise.all(slow)).map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect(await h.metric('cairn_gateway_origin_queue_rejections_total')).toBe('');
  });

  it('refuses a request at once with 503 when the wait queue is full, and serves the queued one later (#9)', async () => {
    await start({ ORIGIN_QUEUE_TIMEOUT_MS: '20000', ORIGIN_QUEUE_LIMIT: '1' });
    const slow = holdSlow(5);
    await eventually(() => expect(h.origin.count('/slow')).toBe(4));
    await eventually(async () => expect(await h.metric('cairn_gateway_origin_queue_waiting')).toMatch(/cache="page"} 1/));

    const refused = await get('/unrelated');
    expect(refused.status).toBe(503);
    expect(((await refused.json()) as { error: string }).error).toBe('CAIRN_ORIGIN_BUSY');
    expect(await h.metric('cairn_gateway_origin_queue_rejections_total')).toMatch(/cache="page",reason="queue-full"} 1/);

    for (const g of slowGates) g.open();
    expect((await Promise.all(slow)).map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(h.origin.count('/slow')).toBe(5);
    expect(await h.metric('cairn_gateway_origin_errors_total')).toBe('');
  });

  it('gives every origin connection back whatever kind of answer used it (#9)', async () => {
    // One connection and a short wait: a request that kept its connection would starve the next.
    await start({ MAX_CONNECTIONS: '1', ORIGIN_QUEUE_TIMEOUT_MS: '2000', RESERVED_PATHS: '/reserved' });
    h.origin.route('/missing', { status: 404, body: 'no such page' });
    h.origin.route('/large', { body: 'l'.repeat(200_000) });
    h.origin.route('/reserved', {
      handle: (request, response) => {
        if (request.headers['if-none-match'] === '"v1"') return void response.writeHead(304).end();
        response.writeHead(200, { etag: '"v1"' }).end(request.method === 'HEAD' ? undefined : `${request.method} done`);
      },
    });
    const statuses: number[] = [];
    const send = async (path: string, init?: RequestInit) => {
      const response = await fetch(`${h.gateway.url}${path}`, init);
      await response.arrayBuffer();
      statuses.push(response.status);
    };
    await send('/a');
    await send('/a');
    await send('/large');
    await send('/missing');
    await send('/head-miss', { method: 'HEAD' });
    for (const method of ['GET', 'HEAD', 'POST', 'PUT', 'DELETE']) await send('/reserved', { method, ...(method === 'POST' || method === 'PUT' ? { body: 'b' } : {}) });
    await send('/reserved', { headers: { 'if-none-match': '"v1"' } });
    expect(statuses).toEqual([200, 200, 200, 404, 200, 200, 200, 200, 200, 200, 304]);
    await eventually(async () => expect(await h.metric('cairn_gateway_origin_connections_busy')).toBe('cairn_gateway_origin_connections_busy{cache="page"} 0'));
    expect(await h.metric('cairn_gateway_origin_queue_rejections_total')).toBe('');
  });
});
