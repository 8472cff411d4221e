/**
 * `npm run bench:http`: request latency through a gateway against the same requests
 * straight to the origin, in one script (autocannon, 10 connections, loopback).
 *
 * - HIT: one path, stored before the run.
 * - MISS: every request a new path, so every request is an origin fetch plus a store.
 *
 * The gateway runs as its own process (as deployed); the origin is a minimal node server
 * in this process answering 1 KiB. Every run is bounded by its duration.
 */
import autocannon from 'autocannon';
import { startBenchGateway } from './gateway-process.js';

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 5);
const CONNECTIONS = 10;
const BODY = Buffer.alloc(1024, 'x');

const bench = await startBenchGateway({
  body: BODY,
  contentType: 'text/plain',
  nodeArgs: process.env.BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_PROFILE] : [],
});
const { gatewayUrl, originUrl } = bench;

try {
  await bench.warm('/hit');

  const run = async (base: string, path: (n: number) => string) => {
    let n = 0;
    const result = await autocannon({
      url: base,
      connections: CONNECTIONS,
      duration: DURATION_S,
      requests: [{ setupRequest: (request) => ({ ...request, path: path(n++) }) }],
    });
    return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: result.errors + result.non2xx };
  };

  const rows: Array<[string, Awaited<ReturnType<typeof run>>]> = [];
  // BENCH_ONLY=miss runs the gateway MISS run alone (for profiling the gateway).
  const only = process.env.BENCH_ONLY;
  // A distinct prefix per run keeps the MISS run's paths new to the gateway.
  if (only === undefined) rows.push(['origin direct, one path', await run(originUrl, () => '/hit')]);
  if (only === undefined) rows.push(['gateway HIT', await run(gatewayUrl, () => '/hit')]);
  if (only === undefined) rows.push(['origin direct, new paths', await run(originUrl, (n) => `/miss/a${n}`)]);
  rows.push(['gateway MISS (fetch + store)', await run(gatewayUrl, (n) => `/miss/b${n}`)]);

  console.log(`\n${CONNECTIONS} connections, ${DURATION_S} s per run, 1 KiB bodies, loopback`);
  console.log('| run | req/s | p50 ms | p99 ms | errors |');
  console.log('|---|---:|---:|---:|---:|');
  for (const [name, r] of rows) console.log(`| ${name} | ${Math.round(r.rps)} | ${r.p50} | ${r.p99} | ${r.errors} |`);
  if (only === undefined) {
    const [direct, hit, directNew, miss] = rows.map(([, r]) => r) as [typeof rows[0][1], typeof rows[0][1], typeof rows[0][1], typeof rows[0][1]];
    console.log(`\nHIT throughput vs origin direct: ${(hit.rps / direct.rps).toFixed(2)}×; MISS throughput vs origin direct: ${(miss.rps / directNew.rps).toFixed(2)}×`);
  }
} finally {
  await bench.stop();
}
