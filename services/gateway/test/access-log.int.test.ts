import { eventually } from '@cairn/testing';
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { startGatewayHarness, type GatewayHarness } from './gateway-harness.js';

/** An access log destination that keeps its lines. */
function collector(): { lines: string[]; write(line: string): void } {
  const lines: string[] = [];
  return { lines, write: (line) => void lines.push(...line.split('\n').filter((l) => l !== '')) };
}

type JsonLine = Record<string, unknown>;

describe('access log', () => {
  let h: GatewayHarness;
  let log: ReturnType<typeof collector>;
  const get = async (path: string, init?: RequestInit) => {
    const response = await fetch(`${h.gateway.url}${path}`, init);
    await response.arrayBuffer();
    return response;
  };
  const jsonLines = (): JsonLine[] => log.lines.map((line) => JSON.parse(line) as JsonLine);
  const lineFor = async (requestId: string): Promise<JsonLine> => {
    let found: JsonLine | undefined;
    await eventually(() => {
      found = jsonLines().find((line) => line.requestId === requestId);
      expect(found).toBeDefined();
    });
    return found as JsonLine;
  };

  async function start(format: 'json' | 'combined', cacheConfiguration: (originUrl: string) => Record<string, unknown> = () => ({})): Promise<void> {
    log = collector();
    h = await startGatewayHarness(cacheConfiguration, { ACCESS_LOG: format, WORKERS: '1' }, log);
    await h.applyRule({ id: 'all', pathPatterns: ['^/.*$'], ttl: '1h' });
  }

  afterEach(async () => {
    await h.close();
  });

  it('writes a json line per answer with what the gateway did, a MISS then a HIT', async () => {
    await start('json');
    h.origin.route('/page', { body: 'x'.repeat(10) });
    await get('/page?a=1', { headers: { 'x-request-id': 'first', 'user-agent': 'probe/1' } });
    await get('/page?a=1', { headers: { 'x-request-id': 'second', 'user-agent': 'probe/1' } });
    const miss = await lineFor('first');
    expect(miss).toMatchObject({ msg: 'request completed', method: 'GET', url: '/page?a=1', status: 200, bytes: 10, outcome: 'MISS', reason: 'absent', cache: 'page', key: 'page:/page?a=1', client: '127.0.0.1', userAgent: 'probe/1', aborted: false });
    expect(typeof miss.latencyMs).toBe('number');
    expect(await lineFor('second')).toMatchObject({ status: 200, bytes: 10, outcome: 'HIT', reason: 'fresh', cache: 'page', key: 'page:/page?a=1' });
  });

  it('writes one line per request, the request id generated when the client sent none', async () => {
    await start('json');
    await get('/one');
    await get('/one');
    await eventually(() => expect(jsonLines().filter((line) => line.url === '/one')).toHaveLength(2));
    const ids = jsonLines().filter((line) => line.url === '/one').map((line) => line.requestId as string);
    expect(ids[0]).not.toBe('');
    expect(ids[0]).not.toBe(ids[1]);
  });

  it('logs a 304 with no body bytes', async () => {
    await start('json');
    h.origin.route('/tagged', { headers: { etag: '"v1"', 'last-modified': 'Tue, 01 Dec 2026 10:00:00 GMT' } });
    await get('/tagged');
    const response = await get('/tagged', { headers: { 'if-none-match': '"v1"', 'x-request-id': 'conditional' } });
    expect(response.status).toBe(304);
    expect(await lineFor('conditional')).toMatchObject({ status: 304, bytes: 0, outcome: 'HIT' });
  });

  it("logs an origin failure with the error's reason", async () => {
    await start('json');
    h.origin.route('/broken', {
      handle: (_request, response) => {
        response.socket?.destroy();
      },
    });
    const response = await get('/broken', { headers: { 'x-request-id': 'failed' } });
    expect(response.status).toBe(502);
    expect(await lineFor('failed')).toMatchObject({ status: 502, outcome: 'MISS', reason: 'origin-unavailable', cache: 'page' });
  });

  it('logs a client that went away before its answer ended as aborted', async () => {
    await start('json');
    h.origin.route('/slow', {
      handle: (_request, response) => {
        response.writeHead(200, { 'content-type': 'text/plain' });
        response.write('part');
        // The fill goes on without the client, and ends.
        setTimeout(() => response.end('rest'), 300);
      },
    });
    await new Promise<void>((resolve, reject) => {
      const req = request(`${h.gateway.url}/slow`, { headers: { 'x-request-id': 'gone' } }, (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', (err: Error & { code?: string }) => (err.code === 'ECONNRESET' ? undefined : reject(err)));
      req.end();
    });
    expect(await lineFor('gone')).toMatchObject({ status: 200, aborted: true, outcome: 'MISS' });
  });

  it('logs a PURGE', async () => {
    await start('json');
    await get('/purged', { method: 'PURGE', headers: { 'x-request-id': 'purge' } });
    expect(await lineFor('purge')).toMatchObject({ method: 'PURGE', url: '/purged' });
  });

  it('writes the combined format with the outcome, reason, latency, key and request id appended', async () => {
    await start('combined');
    h.origin.route('/c', { body: 'abc' });
    await get('/c?q="x"', { headers: { 'x-request-id': 'combined-1', 'user-agent': 'probe "quoted"', referer: 'http://example.test/' } });
    await eventually(() => expect(log.lines.some((line) => line.endsWith(' combined-1'))).toBe(true));
    const line = log.lines.find((l) => l.endsWith(' combined-1')) as string;
    expect(line).toMatch(
      /^127\.0\.0\.1 - - \[\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000\] "GET \/c\?q=%22x%22 HTTP\/1\.1" 200 3 "http:\/\/example\.test\/" "probe \\x22quoted\\x22" MISS [a-z-]+ \d+\.\d{3} "[^"]*\/c[^"]*" combined-1$/,
    );
  });
});
