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
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';
import { encodeMessage, subjects } from '@cairn/shared';
import { startNatsServer, tempDir } from '@cairn/testing';
import { connect } from 'nats';

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 5);
const CONNECTIONS = 10;
const BODY = Buffer.alloc(1024, 'x');

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const origin: Server = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': BODY.length });
  res.end(BODY);
});
await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
const originUrl = `http://127.0.0.1:${(origin.address() as AddressInfo).port}`;

const nats = await startNatsServer();
const dir = await tempDir('cairn-bench-http-');
writeFileSync(join(dir.path, 'cacheConfiguration.bench.json'), JSON.stringify({ defaultOrigin: originUrl, defaultCacheKey: {} }));
const [port, adminPort] = [await freePort(), await freePort()];
const gateway = spawn(process.execPath, [...(process.env.BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_PROFILE] : []), '--import', 'tsx', '--conditions=source', 'services/gateway/src/main.ts'], {
  env: {
    ...process.env,
    NATS_URL: nats.url,
    HOST: '127.0.0.1',
    PORT: String(port),
    ADMIN_PORT: String(adminPort),
    ENVIRONMENT: 'bench',
    CONFIG_DIR: dir.path,
    DATA_DIR: join(dir.path, 'data'),
    LOG_LEVEL: 'warn',
  },
  stdio: ['ignore', 'inherit', 'inherit'],
});
const gatewayUrl = `http://127.0.0.1:${port}`;

try {
  // Bounded wait for the gateway to be ready, then one catch-all rule.
  for (let i = 0; ; i++) {
    if (i === 200) throw new Error('gateway not ready within 20 s');
    const ready = await fetch(`http://127.0.0.1:${adminPort}/ready`).then((r) => r.ok, () => false);
    if (ready) break;
    await sleep(100);
  }
  const nc = await connect({ servers: nats.url });
  await nc.jetstream().publish(subjects.rule('all'), encodeMessage({ op: 'upsert', rule: { id: 'all', description: '', pathPatterns: ['^/.*$'], ttl: '1h' } }));
  await nc.close();
  for (let i = 0; (await fetch(`${gatewayUrl}/hit`).then((r) => r.headers.get('x-cairn-cache'))) !== 'HIT'; i++) {
    if (i === 100) throw new Error('rule not applied within 10 s');
    await sleep(100);
  }

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
  gateway.kill('SIGTERM');
  await new Promise((resolve) => gateway.once('exit', resolve));
  origin.close();
  await nats.stop();
  await dir.remove();
}
