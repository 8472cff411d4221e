/**
 * `npm run bench:fill-lease [-- --leases 20000 --concurrency 1,50]`:
 * what a fill lease costs a miss with WORKERS > 1, apart from everything else a miss does: a
 * real cluster primary holding the gateway's FillLeases, and a worker asking through the
 * gateway's WorkerLink (acquire, then release), N at a time. Reports the acquire round trip
 * (p50, p99) and leases per second.
 */
import cluster from 'node:cluster';
import { parseArgs } from 'node:util';
import { createLogger } from '@cairn/shared';
import { FillLeases } from '../services/gateway/src/cluster/fill-leases.js';
import { isWorkerMessage } from '../services/gateway/src/cluster/ipc.js';
import { WorkerLink } from '../services/gateway/src/cluster/worker-link.js';

const { values } = parseArgs({ options: { leases: { type: 'string', default: '20000' }, concurrency: { type: 'string', default: '1,50' } } });
const total = Number(values.leases);

if (cluster.isPrimary) {
  const leases = new FillLeases(30_000);
  const worker = cluster.fork();
  worker.on('message', (message: unknown) => {
    if (!isWorkerMessage(message)) return;
    if (message.cairn === 'lease') leases.acquire(message.key, 1, message.fillSeq, (answer, lease) => worker.send({ cairn: 'lease-answer', id: message.id, answer, lease }));
    else if (message.cairn === 'release') leases.release(message.lease, 1, message.end, message.failure);
  });
  worker.on('exit', (code) => process.exit(code ?? 1));
} else {
  const link = new WorkerLink(1, 30_000, createLogger('bench', 'warn'));
  const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  for (const concurrency of String(values.concurrency).split(',').map(Number)) {
    const took: number[] = [];
    let next = 0;
    const begun = performance.now();
    const run = async () => {
      for (let i = next++; i < total; i = next++) {
        const t0 = performance.now();
        const grant = await link.acquire(`/k/${concurrency}/${i}`, 0);
        took.push(performance.now() - t0);
        if (grant.kind === 'lead') link.release(grant.lease, 'stored');
      }
    };
    await Promise.all(Array.from({ length: concurrency }, run));
    const seconds = (performance.now() - begun) / 1000;
    took.sort((a, b) => a - b);
    process.stdout.write(`concurrency ${concurrency}: ${total} leases, ${(total / seconds).toFixed(0)} leases/s, acquire p50 ${(quantile(took, 0.5) * 1000).toFixed(0)} µs, p99 ${(quantile(took, 0.99) * 1000).toFixed(0)} µs\n`);
  }
  process.exit(0);
}
