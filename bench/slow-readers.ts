/**
 * `npx tsx --conditions=source bench/slow-readers.ts`: the gateway's resident memory while
 * 300 clients request one 5 MiB HIT and never read the answer (issue 9). Each client is a
 * raw loopback socket that sends one GET and pauses; the gateway runs as its own process, and its RSS is read from
 * its own /metrics (process_resident_memory_bytes) before the clients, and while all of
 * them wait. Bounded: every wait has a deadline, and the clients are destroyed at the end.
 */
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { connect as connectTcp, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { encodeMessage, subjects } from '@cairn/shared';
import { startNatsServer, tempDir } from '@cairn/testing';
import { connect } from 'nats';

const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 300);
const BODY = Buffer.alloc(Number(process.env.BENCH_BODY_MIB ?? 5) * 1024 * 1024, 'x');
const MIB = 1024 * 1024;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const origin: Server = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': BODY.length });
  res.end(BODY);
});
await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
const originUrl = `http://127.0.0.1:${(origin.address() as AddressInfo).port}`;

const nats = await startNatsServer();
const dir = await tempDir('cairn-bench-slow-readers-');
writeFileSync(join(dir.path, 'cacheConfiguration.bench.json'), JSON.stringify({ defaultOrigin: originUrl, defaultCacheKey: {} }));
const [port, adminPort] = [await freePort(), await freePort()];
const gateway = spawn(process.execPath, ['--import', 'tsx', '--conditions=source', 'services/gateway/src/main.ts'], {
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

async function metric(name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${adminPort}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) if (line.startsWith(name)) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  return sum;
}

const hits = () => metric('cairn_gateway_requests_total{outcome="HIT"');
const rss = () => metric('process_resident_memory_bytes');

const clients: Socket[] = [];
try {
  for (let i = 0; ; i++) {
    if (i === 200) throw new Error('gateway not ready within 20 s');
    if (await fetch(`http://127.0.0.1:${adminPort}/ready`).then((r) => r.ok, () => false)) break;
    await sleep(100);
  }
  const nc = await connect({ servers: nats.url });
  await nc.jetstream().publish(subjects.rule('all'), encodeMessage({ op: 'upsert', rule: { id: 'all', description: '', pathPatterns: ['^/.*$'], ttl: '1h' } }));
  await nc.close();
  for (let i = 0; (await fetch(`${gatewayUrl}/big`).then(async (r) => (await r.arrayBuffer(), r.headers.get('x-cairn-cache')))) !== 'HIT'; i++) {
    if (i === 100) throw new Error('rule not applied within 10 s');
    await sleep(100);
  }

  const hitsBefore = await hits();
  const rssBefore = await rss();
  for (let i = 0; i < CLIENTS; i++) {
    const socket = connectTcp(port, '127.0.0.1');
    socket.on('error', () => undefined);
    // Never read: the answer stays in the gateway's socket buffers.
    socket.pause();
    socket.write(`GET /big HTTP/1.1\r\nhost: bench\r\n\r\n`);
    clients.push(socket);
  }
  for (let i = 0; (await hits()) - hitsBefore < CLIENTS; i++) {
    if (i === 300) throw new Error(`only ${(await hits()) - hitsBefore} of ${CLIENTS} HITs within 30 s`);
    await sleep(100);
  }
  // The peak while every client waits: a few samples, a bounded while.
  let rssWaiting = 0;
  for (let i = 0; i < 10; i++) {
    rssWaiting = Math.max(rssWaiting, await rss());
    await sleep(200);
  }

  console.log(`\n${CLIENTS} clients that never read one ${BODY.length / MIB} MiB HIT, loopback`);
  console.log('| gateway RSS | MiB |');
  console.log('|---|---:|');
  console.log(`| before the clients | ${(rssBefore / MIB).toFixed(0)} |`);
  console.log(`| all ${CLIENTS} clients waiting | ${(rssWaiting / MIB).toFixed(0)} |`);
  console.log(`| growth per client | ${((rssWaiting - rssBefore) / CLIENTS / MIB).toFixed(3)} |`);
} finally {
  for (const socket of clients) socket.destroy();
  gateway.kill('SIGTERM');
  await new Promise((resolve) => gateway.once('exit', resolve));
  origin.close();
  await nats.stop();
  await dir.remove();
}
