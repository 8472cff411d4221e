import { AggregatorRegistry, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { HistogramCells } from './histogram-cells.js';

function histogram(): { cells: HistogramCells<string, string>; registry: Registry } {
  const registry = new Registry();
  const cells = new HistogramCells<string, string>({ name: 'latency_seconds', help: 'latency', labelNames: ['cache', 'outcome'], buckets: [0.01, 0.1], registers: [registry] });
  return { cells, registry };
}

describe('HistogramCells', () => {
  it('counts each observation in its bucket and the ones above, with sum and count', async () => {
    const { cells, registry } = histogram();
    cells.observe('page', 'HIT', 0.005);
    cells.observe('page', 'HIT', 0.01);
    cells.observe('page', 'HIT', 0.05);
    cells.observe('page', 'HIT', 3);
    const text = await registry.metrics();
    expect(text).toContain('# TYPE latency_seconds histogram');
    expect(text).toContain('latency_seconds_bucket{cache="page",outcome="HIT",le="0.01"} 2');
    expect(text).toContain('latency_seconds_bucket{cache="page",outcome="HIT",le="0.1"} 3');
    expect(text).toContain('latency_seconds_bucket{cache="page",outcome="HIT",le="+Inf"} 4');
    expect(text).toContain('latency_seconds_sum{cache="page",outcome="HIT"} 3.065');
    expect(text).toContain('latency_seconds_count{cache="page",outcome="HIT"} 4');
  });

  it('keeps label pairs apart', async () => {
    const { cells, registry } = histogram();
    cells.observe('page', 'HIT', 0.001);
    cells.observe('api', 'MISS', 0.2);
    const text = await registry.metrics();
    expect(text).toContain('latency_seconds_count{cache="page",outcome="HIT"} 1');
    expect(text).toContain('latency_seconds_count{cache="api",outcome="MISS"} 1');
    expect(text).not.toContain('latency_seconds_count{cache="api",outcome="HIT"}');
  });

  it('is summed over workers as the primary merges their registries', async () => {
    const [one, two] = [histogram(), histogram()];
    one.cells.observe('page', 'HIT', 0.001);
    two.cells.observe('page', 'HIT', 0.5);
    const merged = AggregatorRegistry.aggregate([await one.registry.getMetricsAsJSON(), await two.registry.getMetricsAsJSON()]);
    const text = await merged.metrics();
    expect(text).toContain('latency_seconds_bucket{cache="page",outcome="HIT",le="0.01"} 1');
    expect(text).toContain('latency_seconds_count{cache="page",outcome="HIT"} 2');
  });
});
