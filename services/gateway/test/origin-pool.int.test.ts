import { startOrigin, type Origin } from '@cairn/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { gatewayEnvSchema } from '../src/config.js';
import { ClientAbortedError, OriginBusyError } from '../src/errors.js';
import { OriginPool, type OriginResponse } from '../src/origin/origin-pool.js';

/** The whole body of an origin answer. */
async function text(response: OriginResponse | Promise<OriginResponse>): Promise<string> {
  let body = '';
  for await (const chunk of (await response).body) body += String(chunk);
  return body;
}

describe('origin pool', () => {
  let origin: Origin;
  let pool: OriginPool;
  const rejected: string[] = [];
  let release: () => void = () => undefined;

  beforeEach(async () => {
    const held = new Promise<void>((resolve) => (release = resolve));
    origin = await startOrigin({
      '/held': {
        handle: async (_request, response) => {
          await held;
          response.end('held');
        },
      },
    });
    const env = gatewayEnvSchema.parse({ MAX_CONNECTIONS: '1', ORIGIN_QUEUE_TIMEOUT_MS: '20000' });
    pool = new OriginPool(origin.url, env, { rejected: (reason) => rejected.push(reason), waiting: () => undefined, busy: () => undefined });
  });
  afterEach(async () => {
    release();
    rejected.length = 0;
    await pool.close();
    await origin.close();
  });

  const get = (path: string, signal: AbortSignal) => pool.request({ method: 'GET', path, headers: {}, signal });

  it('answers a request whose deadline passes while it waits for a connection as a queue timeout, not an origin timeout (#9)', async () => {
    const held = get('/held', new AbortController().signal);
    await expect(get('/other', AbortSignal.timeout(100))).rejects.toMatchObject({ code: 'CAIRN_ORIGIN_BUSY', reason: 'queue-timeout', status: 504 });
    expect(rejected).toEqual(['queue-timeout']);
    expect(origin.count('/other')).toBe(0);
    release();
    expect(await text(held)).toBe('held');
  });

  it('lets a request whose client left while it waited go without reaching the origin (#9)', async () => {
    const held = get('/held', new AbortController().signal);
    const client = new AbortController();
    const waiting = get('/other', client.signal);
    client.abort(new ClientAbortedError('response'));
    await expect(waiting).rejects.toBeInstanceOf(ClientAbortedError);
    expect(rejected).toEqual([]);
    release();
    expect(await text(held)).toBe('held');
    expect(origin.count('/other')).toBe(0);
  });

  it('never sends the client expectation upstream (#9)', async () => {
    const response = await pool.request({ method: 'GET', path: '/plain', headers: { expect: '100-continue', 'x-kept': 'yes' }, signal: new AbortController().signal });
    expect(await text(response)).toBe('origin:/plain');
    expect(origin.requests.at(-1)?.headers).toMatchObject({ 'x-kept': 'yes' });
    expect(origin.requests.at(-1)?.headers.expect).toBeUndefined();
  });

  it('refuses at once when the queue is full (#9)', async () => {
    const small = new OriginPool(origin.url, gatewayEnvSchema.parse({ MAX_CONNECTIONS: '1', ORIGIN_QUEUE_LIMIT: '1' }), {
      rejected: (reason) => rejected.push(reason),
      waiting: () => undefined,
      busy: () => undefined,
    });
    const held = small.request({ method: 'GET', path: '/held', headers: {}, signal: new AbortController().signal });
    const queued = small.request({ method: 'GET', path: '/queued', headers: {}, signal: new AbortController().signal });
    await expect(small.request({ method: 'GET', path: '/refused', headers: {}, signal: new AbortController().signal })).rejects.toBeInstanceOf(OriginBusyError);
    expect(rejected).toEqual(['queue-full']);
    release();
    expect(await text(held)).toBe('held');
    expect(await text(queued)).toBe('origin:/queued');
    await small.close();
  });
});
