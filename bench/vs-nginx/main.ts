/**
 * `npm run bench:vs-nginx [-- --rounds 3 --seconds 5 --connections 50 --paced-rate 500 --only 'req/s']`:
 * Cairn's gateway (WORKERS=1 and WORKERS=2), nginx (proxy_cache) and Varnish (builtin VCL) in
 * front of one origin on loopback, loaded by wrk (-t1) in interleaved rounds: hot 1 KB hits,
 * 10,000 distinct 1 KB hits, hot 100 KB hits, and the miss path (never-seen 1 KB keys); then
 * misses of 1 KB and 100 KB at a fixed moderate rate, and of 100 KB at a fifth of it
 * (paced-load.ts, after a one-second warm-up), reported as latency added over the origin's own. A bare node:http server answering the same bytes
 * is the floor for hits, the origin itself the floor for misses. Reports medians of req/s,
 * p50, p99 and CPU per request (the server's whole process tree, from /proc), and each
 * proxy's req/s as a ratio to the faster of nginx and Varnish. Installs nginx, varnish and
 * wrk from Debian's packages when missing. Every process is stopped by PID at the end.
 */
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { installMissingCommands, tempDir } from '@cairn/testing';
import { freePort, onCleanup, startTracked, stopAll, waitUntil } from '../conformance/processes.js';
import { startCairn } from '../conformance/proxies/cairn.js';
import { startNginx } from '../conformance/proxies/nginx.js';
import type { Started } from '../conformance/proxies/target.js';
import { startVarnish } from '../conformance/proxies/varnish.js';
import { startBenchOrigin } from './bench-origin.js';
import { treeCpuSeconds } from './process-cpu.js';
import { pacedClient } from './paced-load.js';
import { pathScript, runWrk, type WrkResult } from './wrk.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    'paced-rate': { type: 'string', default: '500' },
    /** Only the scenarios whose name contains this (e.g. `100 KB`, `req/s`). */
    only: { type: 'string', default: '' },
    seconds: { type: 'string', default: '5' },
    connections: { type: 'string', default: '50' },
    out: { type: 'string', default: 'vs-nginx-results.md' },
  },
});
const rounds = Number(values.rounds);
const seconds = Number(values.seconds);
const connections = Number(values.connections);
const pacedRate = Number(values['paced-rate']);
const log = (line: string) => process.stderr.write(`[vs-nginx] ${line}\n`);
const RUN_BOUND_MS = 30 * 60_000;
const DISTINCT_KEYS = 10_000;

interface LoadTarget {
  name: string;
  url: string;
  pid: number;
}

interface Scenario {
  name: string;
  targets: LoadTarget[];
  /** The URL path, or a wrk script for this round and target. */
  load(round: number, target: LoadTarget): { path: string; script?: string };
  /** Paced instead of wrk: this many requests per second to never-seen paths under `path`. */
  rate?: number;
}

let stopping = false;
async function shutdown(code: number, why?: string): Promise<never> {
  if (!stopping) {
    stopping = true;
    if (why) log(why);
    await stopAll();
  }
  process.exit(code);
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void shutdown(130, `${signal}: stopping what was started`));
setTimeout(() => void shutdown(1, `run exceeded ${RUN_BOUND_MS / 60_000} min: stopped`), RUN_BOUND_MS).unref();

/** A bare node:http server answering the origin's bytes from memory: what a hit cannot beat. */
async function startBareNode(dir: string): Promise<LoadTarget> {
  const port = await freePort();
  const script = join(dir, 'bare-node.mjs');
  writeFileSync(
    script,
    `import { createServer } from 'node:http';
const small = Buffer.alloc(1024, 'a'), large = Buffer.alloc(100 * 1024, 'b');
const server = createServer((req, res) => {
  const body = req.url.startsWith('/100k') ? large : small;
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length, 'cache-control': 'public, max-age=3600' });
  res.end(body);
});
server.keepAliveTimeout = 60000;
server.listen(${port}, '127.0.0.1');
`,
  );
  const proc = startTracked(process.execPath, [script]);
  const url = `http://127.0.0.1:${port}`;
  await waitUntil('bare node', async () => (await fetch(`${url}/`)).ok, 10_000, proc);
  return { name: 'bare node:http', url, pid: proc.child.pid ?? -1 };
}

function loadTarget(started: Started, name?: string): LoadTarget {
  if (!started.ok) throw new Error(`could not start a proxy: ${started.reason}`);
  return { name: name ?? started.target.name, url: started.target.url, pid: started.target.pid };
}

/** Fills `paths` into a proxy's cache with 50 requests in flight, each path twice. */
async function warm(target: LoadTarget, paths: string[]): Promise<void> {
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < paths.length * 2; i = next++) {
      const res = await fetch(`${target.url}${paths[i % paths.length]}`);
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`${target.name} ${paths[i % paths.length]}: ${res.status}`);
    }
  };
  await Promise.all(Array.from({ length: 50 }, worker));
}

interface Sample extends WrkResult {
  cpuUsPerRequest: number;
  originRequests: number;
}

const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

async function main(): Promise<void> {
  installMissingCommands({ nginx: 'nginx', varnishd: 'varnish', wrk: 'wrk', 'nats-server': 'nats-server' }, log);
  const dir = await tempDir('cairn-vs-nginx-');
  onCleanup(() => dir.remove());
  const origin = await startBenchOrigin();
  onCleanup(() => origin.close());
  // Both process models in the same run, so their ratio is measured on the same machine state.
  const proxies = [loadTarget(await startCairn(origin.url, 1), 'cairn WORKERS=1'), loadTarget(await startCairn(origin.url, 2), 'cairn WORKERS=2'), loadTarget(await startNginx(origin.port)), loadTarget(await startVarnish(origin.port))];
  const bare = await startBareNode(dir.path);
  const direct: LoadTarget = { name: 'origin direct', url: origin.url, pid: process.pid };
  const distinct = Array.from({ length: DISTINCT_KEYS }, (_, i) => `/d/${i}`);
  const distinctScript = pathScript(dir.path, 'distinct', '/d/', DISTINCT_KEYS);
  const distinctLoad = () => ({ path: '/d/0', script: distinctScript });
  const paced = pacedClient(dir.path);
  const neverSeen = (prefix: string) => (round: number, target: LoadTarget) => ({ path: `${prefix}${round}-${target.name.replace(/\W/g, '')}-` });
  const scenarios: Scenario[] = [
    { name: 'hot 1 KB hit', targets: [...proxies, bare], load: () => ({ path: '/hot1k' }) },
    { name: '10,000 distinct 1 KB hits', targets: proxies, load: distinctLoad },
    { name: 'hot 100 KB hit', targets: [...proxies, bare], load: () => ({ path: '/100k-hot' }) },
    {
      name: 'miss, 1 KB (never-seen keys)',
      targets: [...proxies, direct],
      load: (round, target) => ({ path: '/m/', script: pathScript(dir.path, `miss-${round}-${target.name.replace(/\W/g, '')}`, `/m/${round}-${target.name.replace(/\W/g, '')}-`) }),
    },
    { name: `miss, 1 KB at ${pacedRate} req/s`, targets: [...proxies, direct], rate: pacedRate, load: neverSeen('/pm/') },
    { name: `miss, 100 KB at ${pacedRate} req/s`, targets: [...proxies, direct], rate: pacedRate, load: neverSeen('/100k-pm/') },
    // 500 req/s of 100 KB is 50 MB/s, a hundred times the 1 KB row's bytes: a fifth of that rate as well.
    { name: `miss, 100 KB at ${pacedRate / 5} req/s`, targets: [...proxies, direct], rate: pacedRate / 5, load: neverSeen('/100k-pl/') },
  ];
  if (values.only !== '') scenarios.splice(0, scenarios.length, ...scenarios.filter((scenario) => scenario.name.includes(values.only as string)));
  const warmed = ['/hot1k', '/100k-hot', ...(scenarios.some((scenario) => scenario.load === distinctLoad) ? distinct : [])];
  for (const proxy of proxies) {
    const begun = Date.now();
    await warm(proxy, warmed);
    log(`${proxy.name}: warmed ${warmed.length} keys in ${((Date.now() - begun) / 1000).toFixed(1)} s`);
  }
  const samples = new Map<string, Sample[]>();
  for (let round = 0; round < rounds; round++) {
    for (const scenario of scenarios) {
      // Interleaved: each round starts the order one target later, so no target always goes first.
      const order = scenario.targets.map((_, i) => scenario.targets[(i + round) % scenario.targets.length] as LoadTarget);
      for (const target of order) {
        const { path, script } = scenario.load(round, target);
        const cpuBefore = treeCpuSeconds(target.pid);
        const servedBefore = origin.served();
        const result: WrkResult & { sent: number } =
          scenario.rate === undefined
            ? await runWrk(`${target.url}${path}`, { connections, seconds, script }).then((r) => ({ ...r, sent: r.requests }))
            : await paced(target.url, path, { rate: scenario.rate, seconds }).then((r) => ({ requests: r.requests, sent: r.sent, seconds, rps: r.requests / seconds, p50Ms: r.p50Ms, p99Ms: r.p99Ms, non2xx: r.errors }));
        const cpu = treeCpuSeconds(target.pid) - cpuBefore;
        const sample = { ...result, cpuUsPerRequest: (cpu * 1e6) / Math.max(1, result.sent), originRequests: origin.served() - servedBefore };
        const key = `${scenario.name}\0${target.name}`;
        samples.set(key, [...(samples.get(key) ?? []), sample]);
        log(`round ${round + 1}/${rounds} ${scenario.name} ${target.name}: ${result.rps.toFixed(0)} req/s, p50 ${result.p50Ms.toFixed(2)} ms, p99 ${result.p99Ms.toFixed(2)} ms, ${sample.cpuUsPerRequest.toFixed(1)} µs CPU/req, origin +${sample.originRequests}${result.non2xx > 0 ? `, ${result.non2xx} non-2xx` : ''}`);
      }
    }
  }
  const lines = [
    `# Cairn vs nginx vs Varnish (\`npm run bench:vs-nginx\`)`,
    '',
    `${new Date().toISOString()}; wrk -t1 -c${connections}, ${seconds} s per run, ${rounds} interleaved rounds, medians; CPU per request is the server's process tree (user + system) over the run; "vs best" is req/s over the faster of nginx and Varnish in that scenario.`,
    '',
  ];
  for (const scenario of scenarios) {
    const med = (target: LoadTarget, pick: (s: Sample) => number) => median((samples.get(`${scenario.name}\0${target.name}`) ?? []).map(pick));
    const best = Math.max(...scenario.targets.filter((t) => t.name === 'nginx' || t.name === 'varnish').map((t) => med(t, (s) => s.rps)));
    if (scenario.rate !== undefined) {
      // At a fixed rate req/s says nothing; what counts is what the proxy adds to the origin's own latency.
      const origin = scenario.targets.find((t) => t === direct) as LoadTarget;
      const [p50, p99] = [med(origin, (s) => s.p50Ms), med(origin, (s) => s.p99Ms)];
      lines.push(`## ${scenario.name}`, '', '| server | p50 ms | p99 ms | added p50 ms | added p99 ms | CPU µs/req | errors |', '|---|---|---|---|---|---|---|');
      for (const target of scenario.targets) {
        lines.push(
          `| ${target.name} | ${med(target, (s) => s.p50Ms).toFixed(2)} | ${med(target, (s) => s.p99Ms).toFixed(2)} | ${(med(target, (s) => s.p50Ms) - p50).toFixed(2)} | ${(med(target, (s) => s.p99Ms) - p99).toFixed(2)} | ${med(target, (s) => s.cpuUsPerRequest).toFixed(1)} | ${med(target, (s) => s.non2xx).toFixed(0)} |`,
        );
      }
      lines.push('');
      continue;
    }
    lines.push(`## ${scenario.name}`, '', '| server | req/s | vs best of nginx/Varnish | p50 ms | p99 ms | CPU µs/req | origin requests per run |', '|---|---|---|---|---|---|---|');
    for (const target of scenario.targets) {
      lines.push(
        `| ${target.name} | ${med(target, (s) => s.rps).toFixed(0)} | ${(med(target, (s) => s.rps) / best).toFixed(2)}× | ${med(target, (s) => s.p50Ms).toFixed(2)} | ${med(target, (s) => s.p99Ms).toFixed(2)} | ${med(target, (s) => s.cpuUsPerRequest).toFixed(1)} | ${med(target, (s) => s.originRequests).toFixed(0)} |`,
      );
    }
    lines.push('');
  }
  const report = lines.join('\n');
  // `npm run` moves into the package root; a relative --out is meant from where it was typed.
  const out = resolve(process.env.INIT_CWD ?? process.cwd(), values.out);
  writeFileSync(out, report);
  process.stdout.write(`${report}\n`);
  log(`written to ${out}`);
}

main().then(
  () => shutdown(0),
  (err: unknown) => shutdown(1, `bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`),
);
