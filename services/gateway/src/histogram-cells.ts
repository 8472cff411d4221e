/**
 * A two-label histogram kept as plain numbers, registered with prom-client as a metric of
 * its own: `observe` finds its cell by two Map lookups and adds to an array (every answer
 * is observed, hits included), where prom-client's Histogram hashes the labels into a new
 * string per observation. Scrapes, and the primary's merge of workers' registries, read it
 * through `get()` in prom-client's histogram shape, so WORKERS > 1 sums it like any other.
 */
import type { Metric, MetricObjectWithValues, MetricValueWithName, Registry } from 'prom-client';

interface Cell {
  readonly labels: Record<string, string>;
  /** Per bucket, not cumulative; the last is +Inf. */
  readonly counts: number[];
  sum: number;
  count: number;
}

export interface HistogramCellsOptions {
  name: string;
  help: string;
  labelNames: readonly [string, string];
  /** Upper bounds, ascending, in the observed unit. */
  buckets: readonly number[];
  registers: Registry[];
}

export class HistogramCells<A extends string, B extends string> {
  readonly name: string;
  readonly help: string;
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  readonly #names: readonly [string, string];
  readonly #bounds: readonly number[];
  readonly #cells = new Map<A, Map<B, Cell>>();

  constructor(options: HistogramCellsOptions) {
    this.name = options.name;
    this.help = options.help;
    this.#names = options.labelNames;
    this.#bounds = options.buckets;
    for (const registry of options.registers) registry.registerMetric(this as unknown as Metric);
  }

  observe(a: A, b: B, value: number): void {
    let inner = this.#cells.get(a);
    if (inner === undefined) this.#cells.set(a, (inner = new Map()));
    let cell = inner.get(b);
    if (cell === undefined) {
      cell = { labels: { [this.#names[0]]: a, [this.#names[1]]: b }, counts: new Array<number>(this.#bounds.length + 1).fill(0), sum: 0, count: 0 };
      inner.set(b, cell);
    }
    const bounds = this.#bounds;
    let i = 0;
    while (i < bounds.length && value > (bounds[i] as number)) i++;
    (cell.counts[i] as number)++;
    cell.sum += value;
    cell.count++;
  }

  get(): Promise<MetricObjectWithValues<MetricValueWithName<string>>> {
    const values: MetricValueWithName<string>[] = [];
    for (const inner of this.#cells.values()) {
      for (const cell of inner.values()) {
        let cumulative = 0;
        for (let i = 0; i <= this.#bounds.length; i++) {
          cumulative += cell.counts[i] as number;
          values.push({ metricName: `${this.name}_bucket`, labels: { ...cell.labels, le: i < this.#bounds.length ? (this.#bounds[i] as number) : '+Inf' }, value: cumulative });
        }
        values.push({ metricName: `${this.name}_sum`, labels: cell.labels, value: cell.sum });
        values.push({ metricName: `${this.name}_count`, labels: cell.labels, value: cell.count });
      }
    }
    // The shape prom-client's own histogram returns (its `collect` is optional at run time).
    return Promise.resolve({ name: this.name, help: this.help, type: 'histogram', aggregator: this.aggregator, values } as unknown as MetricObjectWithValues<MetricValueWithName<string>>);
  }

  reset(): void {
    this.#cells.clear();
  }
}
