/**
 * `npm run bench:request-counts`: ns per counted answer for the
 * requests counter: prom-client's `inc({outcome, reason})`, a cached `labels()` child (which
 * still hashes the labels per call), and the gateway's CounterCells (a number per label
 * pair, summed into the counter when scraped); and the same for the client latency
 * histogram (prom-client's Histogram against HistogramCells). Interleaved rounds, fastest of each.
 */
import { Counter, Histogram, Registry } from 'prom-client';
import { CounterCells } from '../services/gateway/src/counter-cells.js';
import { HistogramCells } from '../services/gateway/src/histogram-cells.js';

const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 1_000_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const registry = new Registry();
const cells = new CounterCells<string, string, string>(['cache', 'outcome', 'reason']);
const counter = new Counter({ name: 'requests_total', help: 'h', labelNames: ['cache', 'outcome', 'reason'], registers: [registry] });
const child = counter.labels('page', 'HIT', 'fresh');
const histogram = new Histogram({ name: 'latency_seconds', help: 'h', labelNames: ['cache', 'outcome'], buckets: BUCKETS, registers: [registry] });
const histogramCells = new HistogramCells<string, string>({ name: 'latency_cells_seconds', help: 'h', labelNames: ['cache', 'outcome'], buckets: BUCKETS, registers: [registry] });
const outcomes = ['HIT', 'MISS'];

const variants: Array<[string, (i: number) => void]> = [
  ['prom-client inc({labels})', (i) => counter.inc({ cache: 'page', outcome: outcomes[i & 1] as string, reason: 'fresh' })],
  ['prom-client labels() child', () => child.inc()],
  ['CounterCells', (i) => cells.inc('page', outcomes[i & 1] as string, 'fresh')],
  ['prom-client Histogram observe({labels})', (i) => histogram.observe({ cache: 'page', outcome: outcomes[i & 1] as string }, 0.0003)],
  ['HistogramCells observe', (i) => histogramCells.observe('page', outcomes[i & 1] as string, 0.0003)],
];
const best = variants.map(() => Infinity);
for (let round = 0; round < ROUNDS; round++) {
  variants.forEach(([, count], v) => {
    const started = process.hrtime.bigint();
    for (let i = 0; i < ITERATIONS; i++) count(i);
    best[v] = Math.min(best[v] as number, Number(process.hrtime.bigint() - started) / ITERATIONS);
  });
}
cells.flushInto(counter);
for (const [v, [name]] of variants.entries()) process.stdout.write(`${name}: ${(best[v] as number).toFixed(1)} ns\n`);
process.stdout.write(`prom-client inc / CounterCells = ${((best[0] as number) / (best[2] as number)).toFixed(1)}\n`);
process.stdout.write(`prom-client Histogram / HistogramCells = ${((best[3] as number) / (best[4] as number)).toFixed(1)}\n`);
