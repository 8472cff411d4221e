/**
 * Counts of a two-label prom-client Counter kept as plain numbers between scrapes. The
 * hit path counts every answer; prom-client hashes the labels into a string on every
 * `inc` (a `labels()` child too), so the hot path adds 1 to a number found by two Map
 * lookups instead, and the counter takes the sums when it is collected (scrape, `get()`).
 */
import type { Counter } from 'prom-client';

interface Cell {
  readonly labels: Record<string, string>;
  pending: number;
}

export class CounterCells<A extends string, B extends string> {
  readonly #cells = new Map<A, Map<B, Cell>>();
  readonly #names: readonly [string, string];

  /** `names`: the counter's two label names, in the order `inc` takes their values. */
  constructor(names: readonly [string, string]) {
    this.#names = names;
  }

  /** The counter the counts are flushed into; call from its `collect`. */
  flushInto(counter: Counter<string>): void {
    for (const inner of this.#cells.values()) {
      for (const cell of inner.values()) {
        if (cell.pending === 0) continue;
        counter.inc(cell.labels, cell.pending);
        cell.pending = 0;
      }
    }
  }

  inc(a: A, b: B): void {
    let inner = this.#cells.get(a);
    if (inner === undefined) this.#cells.set(a, (inner = new Map()));
    const cell = inner.get(b);
    if (cell !== undefined) cell.pending++;
    else inner.set(b, { labels: { [this.#names[0]]: a, [this.#names[1]]: b }, pending: 1 });
  }
}
