import { describe, expect, it } from 'vitest';
import { hitCountsFromMetrics } from './hit-ratio.js';

const metrics = (samples: string[]) => ['# HELP cairn_gateway_requests_total Proxied requests', '# TYPE cairn_gateway_requests_total counter', ...samples, 'process_cpu_seconds_total 1.5'].join('\n');

describe('hitCountsFromMetrics', () => {
  it('sums every reason of an outcome and both caches', () => {
    const counts = hitCountsFromMetrics(
      metrics([
        'cairn_gateway_requests_total{cache="page",outcome="HIT",reason="fresh"} 6',
        'cairn_gateway_requests_total{cache="api",outcome="HIT",reason="fresh"} 2',
        'cairn_gateway_requests_total{cache="page",outcome="MISS",reason="absent"} 1',
        'cairn_gateway_requests_total{cache="page",outcome="MISS",reason="expired"} 1',
      ]),
    );
    expect(counts).toMatchObject({ hits: 8, misses: 2, requests: 10, hitRatio: 0.8 });
  });

  it('counts STALE answers as hits and leaves PASS and BYPASS out of the ratio', () => {
    const counts = hitCountsFromMetrics(
      metrics([
        'cairn_gateway_requests_total{cache="page",outcome="HIT",reason="fresh"} 1',
        'cairn_gateway_requests_total{cache="page",outcome="STALE",reason="stale-while-revalidate"} 1',
        'cairn_gateway_requests_total{cache="page",outcome="MISS",reason="absent"} 2',
        'cairn_gateway_requests_total{cache="page",outcome="PASS",reason="no-rule"} 10',
        'cairn_gateway_requests_total{cache="page",outcome="BYPASS",reason="bypass-header"} 5',
      ]),
    );
    expect(counts).toMatchObject({ hits: 1, stale: 1, misses: 2, requests: 19, hitRatio: 0.5 });
  });

  it('has no ratio before any request looked in the store', () => {
    expect(hitCountsFromMetrics(metrics(['cairn_gateway_requests_total{cache="page",outcome="PASS",reason="no-rule"} 3'])).hitRatio).toBeNull();
    expect(hitCountsFromMetrics('').hitRatio).toBeNull();
  });
});
