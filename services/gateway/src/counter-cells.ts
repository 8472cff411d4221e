/**
 * Counts of a three-label prom-client Counter kept as plain numbers between scrapes. The
 * hit path counts every answer; prom-client hashes the labels into a string on every
 * `inc` (a `labels()` child too), so the hot path adds 1 to a number found by three Map
 * lookups instead, and the counter takes the sums when it is collected (scrape, `get()`).
 */
import type { Counter } from 'prom-client';

interface Cell {
  readonly labels: Record<string, string>;
  pending: number;
  /** Since start, flushed or not. */
  total: number;
}

export class CounterCells<A extends string, B extends string, C extends string> {
  readonly #cells = new Map<A, Map<B, Map<C, Cell>>>();
  readonly #names: readonly [string, string, string];

  /** `names`: the counter's three label names, in the order `inc` takes their values. */
  constructor(names: readonly [string, string, string]) {
    this.#names = names;
  }

  /** The counter the counts are flushed into; call from its `collect`. */
  flushInto(counter: Counter<string>): void {
    for (const middle of this.#cells.values()) {
      for (const inner of middle.values()) {
        for (const cell of inner.values()) {
          if (cell.pending === 0) continue;
          counter.inc(cell.labels, cell.pending);
          cell.pending = 0;
        }
      }
    }
  }

  inc(a: A, b: B, c: C): void {
    let middle = this.#cells.get(a);
    if (middle === undefined) this.#cells.set(a, (middle = new Map()));
    let inner = middle.get(b);
    if (inner === undefined) middle.set(b, (inner = new Map()));
    const cell = inner.get(c);
    if (cell !== undefined) {
      cell.pending++;
      cell.total++;
    } else inner.set(c, { labels: { [this.#names[0]]: a, [this.#names[1]]: b, [this.#names[2]]: c }, pending: 1, total: 1 });
  }

  /** Everything counted since start with `b` as the second label, over the other two. */
  total(b: B): number {
    let sum = 0;
    for (const middle of this.#cells.values()) for (const cell of middle.get(b)?.values() ?? []) sum += cell.total;
    return sum;
  }
}
