/**
 * `npm run bench:memory-tier`: the gateway's CPU per hot hit with the memory tier on
 * (MEMORY_CACHE_BYTES=64MiB) and off (0), for a 1 KiB and a 100 KiB body, in one script:
 * two gateway processes per body size (as deployed, WORKERS=1), loaded in interleaved rounds
 * by autocannon (10 connections, loopback). CPU is the gateway process tree's user +
 * system time over the run (/proc). Reports the median of the rounds and the on/off ratio.
 * Every run is bounded by its duration; each gateway is stopped by the handle that started it.
 */
import autocannon from 'autocannon';
import { startBenchGateway, type BenchGateway } from './gateway-process.js';
import { treeCpuSeconds } from './vs-nginx/process-cpu.js';

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 4);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = 10;
const SIZES = [1024, 100 * 1024];
const TIERS = [
  ['on', '64MiB'],
  ['off', '0'],
] as const;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

async function run(gateway: BenchGateway): Promise<{ rps: number; cpuUs: number }> {
  const before = treeCpuSeconds(gateway.pid);
  const result = await autocannon({ url: `${gateway.gatewayUrl}/hot`, connections: CONNECTIONS, duration: DURATION_S });
  const cpu = treeCpuSeconds(gateway.pid) - before;
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`failed requests: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return { rps: result.requests.average, cpuUs: (cpu * 1e6) / result.requests.total };
}

const lines: string[] = [];
for (const size of SIZES) {
  const body = Buffer.alloc(size, 'x');
  const gateways: BenchGateway[] = [];
  try {
    for (const [, bytes] of TIERS) gateways.push(await startBenchGateway({ body, contentType: 'text/plain', env: { MEMORY_CACHE_BYTES: bytes, WORKERS: '1' } }));
    for (const gateway of gateways) await gateway.warm('/hot');
    const cpu: number[][] = TIERS.map(() => []);
    const rps: number[][] = TIERS.map(() => []);
    for (let round = 0; round < ROUNDS; round++) {
      for (let i = 0; i < gateways.length; i++) {
        const { rps: r, cpuUs } = await run(gateways[i] as BenchGateway);
        cpu[i]?.push(cpuUs);
        rps[i]?.push(r);
      }
    }
    const [on, off] = [median(cpu[0] as number[]), median(cpu[1] as number[])];
    lines.push(`| ${size / 1024} KiB | ${median(rps[0] as number[]).toFixed(0)} | ${on.toFixed(1)} | ${median(rps[1] as number[]).toFixed(0)} | ${off.toFixed(1)} | ${(on / off).toFixed(2)} |`);
  } finally {
    for (const gateway of gateways) await gateway.stop();
  }
}
console.log(`hot hit, one key; medians of ${ROUNDS} interleaved rounds of ${DURATION_S} s, ${CONNECTIONS} connections\n`);
console.log('| body | tier on req/s | tier on CPU µs/req | tier off req/s | tier off CPU µs/req | CPU on/off |');
console.log('|---|---|---|---|---|---|');
for (const line of lines) console.log(line);
