import { Counter, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { CounterCells } from './counter-cells.js';

function counted(): { cells: CounterCells<string, string, string>; registry: Registry } {
  const registry = new Registry();
  const cells = new CounterCells<string, string, string>(['cache', 'outcome', 'reason']);
  new Counter({
    name: 'requests_total',
    help: 'requests',
    labelNames: ['cache', 'outcome', 'reason'],
    registers: [registry],
    collect() {
      cells.flushInto(this);
    },
  });
  return { cells, registry };
}

describe('CounterCells', () => {
  it('shows every count on the next scrape, by its labels', async () => {
    const { cells, registry } = counted();
    cells.inc('page', 'HIT', 'fresh');
    cells.inc('page', 'HIT', 'fresh');
    cells.inc('page', 'MISS', 'absent');
    cells.inc('api', 'HIT', 'fresh');
    const text = await registry.metrics();
    expect(text).toContain('requests_total{cache="page",outcome="HIT",reason="fresh"} 2');
    expect(text).toContain('requests_total{cache="page",outcome="MISS",reason="absent"} 1');
    expect(text).toContain('requests_total{cache="api",outcome="HIT",reason="fresh"} 1');
  });

  it('adds counts made after a scrape to the earlier ones, never counting one twice', async () => {
    const { cells, registry } = counted();
    cells.inc('page', 'HIT', 'fresh');
    await registry.metrics();
    expect(await registry.metrics()).toContain('requests_total{cache="page",outcome="HIT",reason="fresh"} 1');
    cells.inc('page', 'HIT', 'fresh');
    expect(await registry.metrics()).toContain('requests_total{cache="page",outcome="HIT",reason="fresh"} 2');
  });

  it('totals a second label over the others since start, scrapes notwithstanding', async () => {
    const { cells, registry } = counted();
    cells.inc('page', 'HIT', 'fresh');
    cells.inc('api', 'HIT', 'memory');
    await registry.metrics();
    cells.inc('page', 'HIT', 'fresh');
    cells.inc('page', 'MISS', 'absent');
    expect(cells.total('HIT')).toBe(3);
    expect(cells.total('MISS')).toBe(1);
    expect(cells.total('STALE')).toBe(0);
  });
});
