/**
 * `npm run bench:slow-readers`: the gateway's resident memory while
 * 300 clients request one 5 MiB HIT and never read the answer (issue 9). Each client is a
 * raw loopback socket that sends one GET and pauses; the gateway runs as its own process, and its RSS is read from
 * its own /metrics (process_resident_memory_bytes) before the clients, and while all of
 * them wait. Bounded: every wait has a deadline, and the clients are destroyed at the end.
 */
import { connect as connectTcp, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { startBenchGateway } from './gateway-process.js';

const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 300);
const BODY = Buffer.alloc(Number(process.env.BENCH_BODY_MIB ?? 5) * 1024 * 1024, 'x');
const MIB = 1024 * 1024;

const bench = await startBenchGateway({ body: BODY, contentType: 'application/octet-stream' });

async function metric(name: string): Promise<number> {
  const text = await (await fetch(`${bench.adminUrl}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) if (line.startsWith(name)) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  return sum;
}

const hits = () => metric('cairn_gateway_requests_total{cache="page",outcome="HIT"');
const rss = () => metric('process_resident_memory_bytes');

const clients: Socket[] = [];
try {
  await bench.warm('/big');

  const hitsBefore = await hits();
  const rssBefore = await rss();
  for (let i = 0; i < CLIENTS; i++) {
    const socket = connectTcp(bench.port, '127.0.0.1');
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
  await bench.stop();
}
