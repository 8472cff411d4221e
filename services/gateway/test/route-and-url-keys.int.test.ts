/**
 * API routing reads the same normalized path the key and a fill use, and a `url`
 * invalidation finds an entry by the query its key holds, whoever filled it (#9).
 */
import { headers as cairnHeaders } from '@cairn/shared';
import { eventually } from '@cairn/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outcome, startGatewayHarness, type GatewayHarness } from './gateway-harness.js';

describe('routing and url keys on the normalized path', () => {
  let h: GatewayHarness;
  const debugKey = async (path: string) => {
    const response = await fetch(`${h.gateway.url}${path}`, { headers: { [cairnHeaders.debug]: 'true' } });
    await response.arrayBuffer();
    return response.headers.get(cairnHeaders.debugKey);
  };

  beforeAll(async () => {
    h = await startGatewayHarness((originUrl) => ({
      apiOrigin: originUrl,
      apiPathPrefix: '/api/',
      apiPathReplacement: { search: '/api/', replace: '/v2/' },
      apiCacheKey: { includeQueryParams: 'ALL' },
      defaultCacheKey: { includeQueryParams: ['q'] },
    }));
    await h.applyRule({ id: 'all', description: '', pathPatterns: ['^/.*$'], ttl: '1h' });
  });
  afterAll(async () => {
    await h.close();
  });

  it('routes a differently spelled API path to the API origin and cache (#9)', async () => {
    expect(await debugKey('/API/./Items')).toMatch(/^api:\/api\/items/);
    expect(h.origin.requests.at(-1)?.url).toBe('/v2/items');
  });

  it('does not route a path that only spells the API prefix before a dot segment to the API origin (#9)', async () => {
    expect(await debugKey('/api/../admin')).toMatch(/^page:\/admin/);
    expect(h.origin.requests.at(-1)?.url).toBe('/admin');
  });

  it('removes an entry with a url invalidation of its keyed query, though its filler sent unkeyed parameters too (#9)', async () => {
    expect(await outcome(fetch(`${h.gateway.url}/u?q=1&utm=x`))).toBe('MISS');
    expect(await outcome(fetch(`${h.gateway.url}/u?q=1`))).toBe('HIT');
    await h.invalidate({ kind: 'url', cache: 'all', key: '/u?q=1' });
    await eventually(async () => expect(await outcome(fetch(`${h.gateway.url}/u?q=1`))).toBe('MISS'));
  });
});
