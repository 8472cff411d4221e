/**
 * `npm run bench:request-counts`: ns per counted answer for the
 * requests counter: prom-client's `inc({outcome, reason})`, a cached `labels()` child (which
 * still hashes the labels per call), and the gateway's CounterCells (a number per label
 * pair, summed into the counter when scraped). Interleaved rounds, fastest of each.
 */
import { Counter, Registry } from 'prom-client';
import { CounterCells } from '../services/gateway/src/counter-cells.js';

const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 1_000_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const registry = new Registry();
const cells = new CounterCells<string, string>(['outcome', 'reason']);
const counter = new Counter({ name: 'requests_total', help: 'h', labelNames: ['outcome', 'reason'], registers: [registry] });
const child = counter.labels('HIT', 'fresh');
const outcomes = ['HIT', 'MISS'];

const variants: Array<[string, (i: number) => void]> = [
  ['prom-client inc({labels})', (i) => counter.inc({ outcome: outcomes[i & 1] as string, reason: 'fresh' })],
  ['prom-client labels() child', () => child.inc()],
  ['CounterCells', (i) => cells.inc(outcomes[i & 1] as string, 'fresh')],
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
