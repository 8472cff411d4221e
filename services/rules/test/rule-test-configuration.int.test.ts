/**
 * `POST /rules/test` builds keys with the gateways' own cacheConfiguration.<ENVIRONMENT>.json
 * (issue 15): read from CONFIG_DIR at startup, routed and keyed as a gateway does; a `cacheKey`
 * in the call wins; without a file the key is the path alone, as before. Real nats-server and
 * rules service, real files in a temp dir.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildCacheKey, compileCacheKeyConfig, ConfigError } from '@cairn/shared';
import { tempDir, type TempDir } from '@cairn/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRulesConfig } from '../src/config.js';
import { useRulesService } from './rules-harness.js';

const rule = { pathPatterns: ['^/.*$'], ttl: '1h' };
const pageKey = { includeHeaders: ['X-Device'], includeQueryParams: 'ALL' as const, includeCookies: [] };
const configuration = {
  defaultOrigin: 'http://127.0.0.1:1',
  defaultCacheKey: pageKey,
  apiOrigin: 'http://127.0.0.1:2',
  apiPathPrefix: '/api/',
  apiCacheKey: { includeQueryParams: ['page'] },
};

type Tested = { cache: string; cacheKey: string; cacheKeyFrom: string };

let dir: TempDir;
beforeAll(async () => {
  dir = await tempDir('cairn-rules-cache-config-');
  writeFileSync(join(dir.path, 'cacheConfiguration.t.json'), JSON.stringify(configuration));
  writeFileSync(join(dir.path, 'cacheConfiguration.broken.json'), JSON.stringify({ defaultCacheKey: {} }));
});
afterAll(async () => {
  await dir?.remove();
});

describe('POST /rules/test with the gateways\' cache configuration', () => {
  const { call } = useRulesService(() => ({ CONFIG_DIR: dir.path, ENVIRONMENT: 't' }));
  const test = async (body: unknown) => {
    const response = await call('POST', '/rules/test', body);
    expect(response.status).toBe(200);
    return (await response.json()) as Tested;
  };

  it('builds the page key with defaultCacheKey when the call sends no cacheKey', async () => {
    await call('PUT', '/rules/all', rule);
    const headers = { 'x-device': 'mobile' };
    const result = await test({ url: '/products/1?b=2&a=1', headers });
    expect(result).toMatchObject({ cache: 'page', cacheKeyFrom: 'cacheConfiguration' });
    expect(result.cacheKey).toBe(buildCacheKey('page', { url: '/products/1?b=2&a=1', headers }, compileCacheKeyConfig(pageKey)));
    expect(result.cacheKey).toContain('mobile');
  });

  it('routes a path under apiPathPrefix to the API cache and its key, as a gateway does', async () => {
    const result = await test({ url: '/API/./items?page=2&utm=x' });
    expect(result).toMatchObject({ cache: 'api', cacheKeyFrom: 'cacheConfiguration' });
    expect(result.cacheKey).toBe(buildCacheKey('api', { url: '/api/items?page=2', headers: {} }, compileCacheKeyConfig({ includeHeaders: [], includeQueryParams: ['page'], includeCookies: [] })));
  });

  it('lets a cacheKey in the call win over the file', async () => {
    const result = await test({ url: '/products/1?a=1', headers: { 'x-device': 'mobile' }, cacheKey: {} });
    expect(result).toMatchObject({ cache: 'page', cacheKey: 'page:/products/1', cacheKeyFrom: 'request' });
  });
});

describe('POST /rules/test without a cache configuration', () => {
  const { call } = useRulesService();

  it('keys the path alone and says so', async () => {
    const response = await call('POST', '/rules/test', { url: '/products/1?a=1', headers: { 'x-device': 'mobile' } });
    expect(await response.json()).toMatchObject({ cache: 'page', cacheKey: 'page:/products/1', cacheKeyFrom: 'path-only' });
  });
});

describe('the rules service\'s cache configuration at startup', () => {
  it('starts without one when CONFIG_DIR and ENVIRONMENT are unset and the default file is absent', () => {
    expect(loadRulesConfig({ CONFIG_DIR: '', ENVIRONMENT: '' }).gatewayCache).toEqual({ path: 'cacheConfiguration.local.json', configuration: undefined });
  });

  it('starts without one when only CONFIG_DIR is set (as the image sets it) and the file is absent', () => {
    expect(loadRulesConfig({ CONFIG_DIR: join(dir.path, 'empty-dir'), ENVIRONMENT: '' }).gatewayCache.configuration).toBeUndefined();
  });

  it('stops with one line naming the path when CONFIG_DIR names a directory without the file', () => {
    const load = () => loadRulesConfig({ CONFIG_DIR: dir.path, ENVIRONMENT: 'absent' });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(`${join(dir.path, 'cacheConfiguration.absent.json')}: file not found`);
  });

  it('stops with one line naming the file and field when the file is invalid', () => {
    expect(() => loadRulesConfig({ CONFIG_DIR: dir.path, ENVIRONMENT: 'broken' })).toThrow('cacheConfiguration.broken.json: defaultOrigin:');
  });
});
