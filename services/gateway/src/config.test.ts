import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadGatewayConfig } from './config.js';

const dir = mkdtempSync(join(tmpdir(), 'cairn-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const minimal = { defaultOrigin: 'http://127.0.0.1:8090', defaultCacheKey: { includeHeaders: [], includeQueryParams: 'ALL', includeCookies: [] } };

function load(config: unknown, env: Record<string, string> = {}) {
  writeFileSync(join(dir, 'cacheConfiguration.t.json'), typeof config === 'string' ? config : JSON.stringify(config));
  return loadGatewayConfig({ CONFIG_DIR: dir, ENVIRONMENT: 't', ...env });
}

describe('loadGatewayConfig', () => {
  it('loads a minimal configuration with the documented defaults', () => {
    const { env, cache } = load(minimal);
    expect(env.PORT).toBe(8080);
    expect(env.ADMIN_PORT).toBe(9080);
    expect(env.REQUEST_TIMEOUT_MS).toBe(30_000);
    expect(env.MAX_CONNECTIONS).toBe(80);
    expect(cache.defaultOrigin).toBe('http://127.0.0.1:8090');
  });

  it('refuses an ADMIN_PORT equal to PORT on an address they share, naming ADMIN_PORT', () => {
    expect(() => load(minimal, { PORT: '8088', ADMIN_PORT: '8088' })).toThrow('environment: ADMIN_PORT: expected a port other than PORT (8088) on 127.0.0.1');
  });

  it('accepts the same port for PORT and ADMIN_PORT on two distinct addresses', () => {
    expect(load(minimal, { PORT: '8088', ADMIN_PORT: '8088', HOST: '127.0.0.2', ADMIN_HOST: '127.0.0.1' }).env.ADMIN_PORT).toBe(8088);
  });

  it('names the path it tried when the file is missing', () => {
    expect(() => loadGatewayConfig({ CONFIG_DIR: dir, ENVIRONMENT: 'absent' })).toThrow(`${join(dir, 'cacheConfiguration.absent.json')}: file not found`);
  });

  it.each([
    ['{', 'not valid JSON'],
    [{ defaultCacheKey: minimal.defaultCacheKey }, 'cacheConfiguration.t.json: defaultOrigin:'],
    [{ ...minimal, defaultOrigin: 'foo' }, 'cacheConfiguration.t.json: defaultOrigin: expected an absolute http(s) URL'],
    [{ ...minimal, defaultCacheKey: { includeQueryParams: 'SOME' } }, 'cacheConfiguration.t.json: defaultCacheKey.includeQueryParams:'],
    [{ ...minimal, apiOrigin: 'http://api' , apiCacheKey: minimal.defaultCacheKey }, 'cacheConfiguration.t.json: apiPathPrefix: apiPathPrefix or apiHeader is required when apiOrigin is set'],
    [{ ...minimal, apiOrigin: 'http://api', apiPathPrefix: '/api/' }, 'cacheConfiguration.t.json: apiCacheKey: required when apiOrigin is set'],
    [{ ...minimal, surprise: true }, 'cacheConfiguration.t.json: surprise: unknown field'],
    [{ ...minimal, apiPathPrefix: '/api/' }, 'cacheConfiguration.t.json: apiOrigin: required when apiPathPrefix is set'],
  ])('stops on an invalid file %j with one line naming the field', (config, message) => {
    expect(() => load(config)).toThrow(message);
  });

  it('requires the origin token when an origin auth header is configured', () => {
    expect(() => load({ ...minimal, defaultOriginAuthHeader: 'x-origin-token' })).toThrow(
      'environment: DEFAULT_ORIGIN_AUTH_TOKEN: required when defaultOriginAuthHeader is configured',
    );
    expect(load({ ...minimal, defaultOriginAuthHeader: 'x-origin-token' }, { DEFAULT_ORIGIN_AUTH_TOKEN: 's3cret' }).env.DEFAULT_ORIGIN_AUTH_TOKEN).toBe('s3cret');
  });

  it('turns access control on by default and binds the admin port to loopback (#11)', () => {
    const { env } = load(minimal, {});
    expect(env.AUTH_REQUIRED).toBe(true);
    expect(env.ADMIN_HOST).toBe('127.0.0.1');
  });

  it.each([
    [{ CACHEABLE_STATUSES: '200,206' }, 'environment: CACHEABLE_STATUSES[1]: partial content (206) is never stored'],
    [{ CACHEABLE_STATUSES: '200,ok' }, 'environment: CACHEABLE_STATUSES[1]'],
  ])('refuses cacheable statuses %j naming the entry', (env, message) => {
    expect(() => load(minimal, env)).toThrow(message);
  });

  it('reads the cacheable statuses as a set', () => {
    expect([...load(minimal, { CACHEABLE_STATUSES: '200, 404' }).env.CACHEABLE_STATUSES]).toEqual([200, 404]);
  });

  it('stops on an invalid environment variable naming it', () => {
    expect(() => load(minimal, { REQUEST_TIMEOUT_MS: '-5' })).toThrow('environment: REQUEST_TIMEOUT_MS: expected a positive integer, got "-5"');
  });

  it('bounds origin queueing and client connections by the documented defaults (#9)', () => {
    const { env } = load(minimal);
    expect([env.ORIGIN_QUEUE_LIMIT, env.ORIGIN_QUEUE_TIMEOUT_MS]).toEqual([1000, 2000]);
    expect([env.CLIENT_HEADER_TIMEOUT_MS, env.CLIENT_REQUEST_TIMEOUT_MS, env.CLIENT_KEEPALIVE_TIMEOUT_MS]).toEqual([60_000, 300_000, 75_000]);
  });

  it('refuses a client header timeout longer than the whole-request timeout (#9)', () => {
    expect(() => load(minimal, { CLIENT_HEADER_TIMEOUT_MS: '90000', CLIENT_REQUEST_TIMEOUT_MS: '60000' })).toThrow(
      'environment: CLIENT_HEADER_TIMEOUT_MS: expected at most CLIENT_REQUEST_TIMEOUT_MS (60000), got 90000',
    );
  });

  it('ignores the client request Cache-Control by default and accepts honor (#10)', () => {
    expect(load(minimal).env.REQUEST_CACHE_CONTROL).toBe('ignore');
    expect(load(minimal, { REQUEST_CACHE_CONTROL: 'honor' }).env.REQUEST_CACHE_CONTROL).toBe('honor');
  });

  it('stops on an unknown REQUEST_CACHE_CONTROL naming it (#10)', () => {
    expect(() => load(minimal, { REQUEST_CACHE_CONTROL: 'obey' })).toThrow(/^environment: REQUEST_CACHE_CONTROL: .*"ignore".*"honor"/);
  });

  it('refuses a GATEWAY_ID longer than heartbeats may carry (#9)', () => {
    expect(() => load(minimal, { GATEWAY_ID: 'g'.repeat(257) })).toThrow(/environment: GATEWAY_ID: /);
  });
});

describe('forwarded headers (defaultForwardHeaders / apiForwardHeaders)', () => {
  it('lowercases the names and drops repeats', () => {
    expect(load({ ...minimal, defaultForwardHeaders: ['User-Agent', 'user-agent', 'TraceParent'] }).cache.defaultForwardHeaders).toEqual(['user-agent', 'traceparent']);
  });

  it('defaults to forwarding nothing besides the keyed inputs', () => {
    expect(load(minimal).cache.defaultForwardHeaders).toEqual([]);
  });

  it('refuses a field a fill can never forward, naming it', () => {
    expect(() => load({ ...minimal, defaultForwardHeaders: ['Authorization'] })).toThrow(/defaultForwardHeaders.*authorization is never forwarded on a fill/);
  });

  it('refuses apiForwardHeaders without an API origin', () => {
    expect(() => load({ ...minimal, apiForwardHeaders: ['user-agent'] })).toThrow(/apiOrigin.*required when apiForwardHeaders is set/);
  });
  it('bounds the store at 1 GiB unless CACHE_MAX_BYTES says otherwise, with or without a suffix (#13)', () => {
    expect(load(minimal).env.CACHE_MAX_BYTES).toBe(1024 ** 3);
    expect(load(minimal, { CACHE_MAX_BYTES: '536870912' }).env.CACHE_MAX_BYTES).toBe(512 * 1024 ** 2);
    expect(load(minimal, { CACHE_MAX_BYTES: '2GB' }).env.CACHE_MAX_BYTES).toBe(2 * 1024 ** 3);
  });

  it.each(['lots', '0', '1.5GB', '-1'])('stops startup on CACHE_MAX_BYTES=%j with one line naming it (#13)', (value) => {
    expect(() => load(minimal, { CACHE_MAX_BYTES: value })).toThrow(/^environment: CACHE_MAX_BYTES: expected a byte count like 1073741824, 512MB or 2GB, got "[^\n]*"$/);
  });
});
