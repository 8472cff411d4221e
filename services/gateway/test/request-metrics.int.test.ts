import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startGatewayHarness, type GatewayHarness } from './gateway-harness.js';

describe('request metrics by cache', () => {
  let h: GatewayHarness;
  const get = async (path: string) => {
    const response = await fetch(`${h.gateway.url}${path}`);
    await response.arrayBuffer();
    return response;
  };

  beforeEach(async () => {
    h = await startGatewayHarness((originUrl) => ({ apiOrigin: originUrl, apiPathPrefix: '/api/', apiCacheKey: { includeQueryParams: 'ALL' } }), { WORKERS: '1' });
    await h.applyRule({ id: 'all', pathPatterns: ['^/.*$'], ttl: '1h' });
  });
  afterEach(async () => {
    await h.close();
  });

  it('counts requests by cache, outcome and reason', async () => {
    await get('/page');
    await get('/page');
    await get('/api/items');
    const counted = await h.metric('cairn_gateway_requests_total');
    expect(counted).toContain('cairn_gateway_requests_total{cache="page",outcome="MISS",reason="absent"} 1');
    expect(counted).toContain('cairn_gateway_requests_total{cache="page",outcome="HIT",reason="fresh"} 1');
    expect(counted).toContain('cairn_gateway_requests_total{cache="api",outcome="MISS",reason="absent"} 1');
  });

  it('observes every answer in the client latency histogram, by cache and outcome', async () => {
    await get('/latency');
    await get('/latency');
    await get('/latency');
    await get('/api/latency');
    const observed = await h.metric('cairn_gateway_client_latency_seconds_count');
    expect(observed).toContain('cairn_gateway_client_latency_seconds_count{cache="page",outcome="HIT"} 2');
    expect(observed).toContain('cairn_gateway_client_latency_seconds_count{cache="page",outcome="MISS"} 1');
    expect(observed).toContain('cairn_gateway_client_latency_seconds_count{cache="api",outcome="MISS"} 1');
    expect(await h.metric('cairn_gateway_client_latency_seconds_bucket{cache="page",outcome="HIT",le="+Inf"}')).toBe('cairn_gateway_client_latency_seconds_bucket{cache="page",outcome="HIT",le="+Inf"} 2');
  });
});
