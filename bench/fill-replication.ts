/**
 * `npm run bench:replication [-- --fleets 4,8 --objects 2000 --requests 40000 --seconds 10
 * --clients 500 --lag-objects 200 --zipf 0]`: fill replication (README, Active caching) in
 * a fleet. For each fleet size, three runs in the same script: FILL_REPLICATION=true with
 * fleet-wide coalescing (the default), the same with FLEET_FILL_WAIT_MS=0 (replication alone:
 * a peer that misses while another gateway fills asks the origin too), and
 * FILL_REPLICATION=false (the baseline), in ABC CBA order over the fleet sizes so no mode
 * always runs first. Each run has its own nats-server (with the rules and invalidation
 * streams ensured as their owners would, and one catch-all rule `^/.*$`, ttl 1h), and N
 * gateway processes (WORKERS=1, LOG_LEVEL=warn, MEMORY_CACHE_BYTES default, each its own
 * GATEWAY_ID and DATA_DIR) from this checkout's source, all in front of one origin in this
 * process that answers 400-byte bodies (Content-Length) and counts requests per path.
 * Object names are fresh in each run (`/obj/r<run>-load-<i>`, `/obj/r<run>-lag-<j>`).
 *
 * 1. Load: `--clients` closed-loop keep-alive clients in their own process
 *    (fill-replication-load.ts), each request to a gateway drawn at random, objects drawn
 *    uniformly from `--objects` (`--zipf s` > 0: P(i) ∝ 1/(i+1)^s), until `--requests` were
 *    sent or `--seconds` passed. Reported: origin requests per distinct object requested
 *    (1.0 is the fleet asking once per object), beside the most a fleet without replication
 *    would ask (Σ over objects of the gateways it was asked of); req/s; HIT ratio (by
 *    x-cairn-cache); replicated fills stored per second (Σ over gateways of
 *    cairn_gateway_replication_received_total{result="stored"}, over the phase's duration).
 * 2. Lag, with nothing else running: `--lag-objects` fresh objects one after another: a GET
 *    at gateway 0 (a MISS), then every other gateway is polled with
 *    `Cache-Control: only-if-cached` (answered from the store or 504, origin untouched) about
 *    every millisecond until it answers HIT; the lag is from the end of the MISS's answer to
 *    the end of the first HIT's, per (object, peer). A peer gives up after 2 s (counted as
 *    never arrived); with replication off after 25 ms, since nothing can arrive. Then every
 *    peer GETs the object plainly, and the origin requests per object are reported (1 with
 *    replication, N without).
 *
 * The machine this was written on has 2 cores: 8 gateways, the load client and the origin are
 * CPU-bound together; req/s and lag are for that, origin requests per object is what the run
 * is about. Every wait and loop is bounded; only 127.0.0.1; every process is stopped by its
 * own PID (also on SIGINT/SIGTERM or an error), temp dirs removed. Exits 1 if a gateway does
 * not start (its output printed).
 */
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createLogger, encodeMessage, ensureStreams, headers as cairnHeaders, ruleSchema, subjects } from '@cairn/shared';
import { startNatsServer, tempDir } from '@cairn/testing';
import { connect, headers as natsHeaders } from 'nats';
import { Pool } from 'undici';
import { freePort, onCleanup, startTracked, stopAll, waitUntil, type Tracked } from './conformance/processes.js';
import type { LoadResult, LoadSpec } from './fill-replication-load.js';

const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));
const GATEWAY_MAIN = join(REPO_ROOT, 'services/gateway/src/main.ts');
const LOAD_CLIENT = join(REPO_ROOT, 'bench/fill-replication-load.ts');
const BODY_BYTES = 400;
const GATEWAY_START_MS = 120_000;
const WARM_TRIES = 100;
const LAG_POLL_MS = 1;
const LAG_GIVE_UP_MS = 2000;
const LAG_GIVE_UP_OFF_MS = 25;
/** More polls than fit in the give-up time at LAG_POLL_MS: the loop is bounded by either. */
const LAG_MAX_POLLS = 5000;
/** After the load, before the lag phase: replicated fills still in flight are stored. */
const SETTLE_MS = 500;

const { values } = parseArgs({
  options: {
    fleets: { type: 'string', default: '4,8' },
    objects: { type: 'string', default: '2000' },
    requests: { type: 'string', default: '40000' },
    seconds: { type: 'string', default: '10' },
    clients: { type: 'string', default: '500' },
    'lag-objects': { type: 'string', default: '200' },
    zipf: { type: 'string', default: '0' },
    seed: { type: 'string', default: '1' },
  },
});
const fleets = (values.fleets as string).split(',').map(Number);
const objects = Number(values.objects);
const requests = Number(values.requests);
const seconds = Number(values.seconds);
const clients = Number(values.clients);
const lagObjects = Number(values['lag-objects']);
const zipf = Number(values.zipf);
const seed = Number(values.seed);
for (const [name, n] of Object.entries({ objects, requests, seconds, clients, lagObjects })) if (!(n > 0)) throw new Error(`--${name}: expected a positive number`);
if (fleets.some((n) => !Number.isInteger(n) || n < 2 || n > 16)) throw new Error('--fleets: expected sizes from 2 to 16');

const log = (line: string) => process.stderr.write(`[replication] ${line}\n`);
// nats-server is often installed in /usr/sbin, which a user's PATH may lack.
if (!(process.env.PATH ?? '').split(':').includes('/usr/sbin')) process.env.PATH = `${process.env.PATH ?? ''}:/usr/sbin`;

class GatewayStartError extends Error {}

/** `fn` at most once, its failure swallowed: a cleanup both a run and stopAll() may call. */
function once(fn: () => Promise<unknown>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => (done ??= fn().then(
    () => undefined,
    () => undefined,
  ));
}

/** A run's resources, released at its end (in reverse) or by stopAll() if the run does not get there. */
class Scope {
  readonly #releases: (() => Promise<void>)[] = [];
  add(release: () => Promise<unknown>): void {
    const wrapped = once(release);
    this.#releases.push(wrapped);
    onCleanup(wrapped);
  }
  async close(): Promise<void> {
    while (this.#releases.length > 0) await this.#releases.pop()!();
  }
}

// ---- the origin: 400-byte bodies, requests counted per path ----

const body = Buffer.alloc(BODY_BYTES, 'r');
const originCounts = new Map<string, number>();
const origin = createServer((req, res) => {
  const path = req.url ?? '';
  originCounts.set(path, (originCounts.get(path) ?? 0) + 1);
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': BODY_BYTES });
  res.end(body);
});
origin.keepAliveTimeout = 60_000;
await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
const originUrl = `http://127.0.0.1:${(origin.address() as AddressInfo).port}`;
onCleanup(
  once(
    () =>
      new Promise<void>((resolve) => {
        origin.closeAllConnections();
        origin.close(() => resolve());
      }),
  ),
);

function originRequests(prefix: string): { total: number; paths: number; max: number; duplicated: number } {
  let [total, paths, max, duplicated] = [0, 0, 0, 0];
  for (const [path, count] of originCounts) {
    if (!path.startsWith(prefix)) continue;
    total += count;
    paths++;
    max = Math.max(max, count);
    if (count > 1) duplicated++;
  }
  return { total, paths, max, duplicated };
}

// ---- gateways ----

interface Gateway {
  id: string;
  url: string;
  adminUrl: string;
  proc: Tracked;
  pool: Pool;
}

const SCRUBBED_ENV = ['MEMORY_CACHE_BYTES', 'FILL_REPLICATION', 'FLEET_FILL_WAIT_MS', 'WORKERS', 'GATEWAY_ID', 'LOG_LEVEL', 'REPLICATION_MAX_BODY_BYTES', 'REQUEST_CACHE_CONTROL'];

/** What a run turns on: fill replication, and with it the fleet-wide coalescing of misses. */
interface Mode {
  replication: boolean;
  coalescing: boolean;
}
const MODES: Mode[] = [
  { replication: true, coalescing: true },
  { replication: true, coalescing: false },
  { replication: false, coalescing: false },
];
const modeName = (m: Mode) => (m.replication ? (m.coalescing ? 'on' : 'on, no fleet coalescing') : 'off');

async function startGateway(id: string, natsUrl: string, dir: string, mode: Mode, ruleSeq: number): Promise<Gateway> {
  const [port, adminPort] = [await freePort(), await freePort()];
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of SCRUBBED_ENV) delete env[key];
  const proc = startTracked(process.execPath, ['--import', 'tsx', '--conditions=source', GATEWAY_MAIN], {
    cwd: REPO_ROOT,
    env: {
      ...env,
      NATS_URL: natsUrl,
      AUTH_REQUIRED: 'false',
      HOST: '127.0.0.1',
      PORT: String(port),
      ADMIN_HOST: '127.0.0.1',
      ADMIN_PORT: String(adminPort),
      ENVIRONMENT: 'bench',
      CONFIG_DIR: dir,
      DATA_DIR: join(dir, `data-${id}`),
      GATEWAY_ID: id,
      WORKERS: '1',
      LOG_LEVEL: 'warn',
      FILL_REPLICATION: String(mode.replication),
      FLEET_FILL_WAIT_MS: mode.coalescing ? '5000' : '0',
    },
  });
  const url = `http://127.0.0.1:${port}`;
  const adminUrl = `http://127.0.0.1:${adminPort}`;
  try {
    await waitUntil(
      `gateway ${id}`,
      async () => {
        const res = await fetch(`${adminUrl}/ready`, { signal: AbortSignal.timeout(1000) });
        if (!res.ok) return (await res.arrayBuffer(), false);
        const ready = (await res.json()) as { rules?: { revision?: number } };
        return (ready.rules?.revision ?? 0) >= ruleSeq;
      },
      GATEWAY_START_MS,
      proc,
    );
  } catch (err) {
    const output = proc.output();
    await proc.stop();
    throw new GatewayStartError(`gateway ${id} did not start: ${(err as Error).message.split('\n')[0]}\n--- its output (last 4 KiB) ---\n${output}`);
  }
  const pool = new Pool(url, { connections: 4, headersTimeout: 10_000, bodyTimeout: 10_000, keepAliveTimeout: 60_000 });
  return { id, url, adminUrl, proc, pool };
}

interface Answer {
  status: number;
  cache: string;
}

async function get(pool: Pool, path: string, onlyIfCached = false): Promise<Answer> {
  try {
    const res = await pool.request({ path, method: 'GET', headers: onlyIfCached ? { 'cache-control': 'only-if-cached' } : {} });
    await res.body.arrayBuffer();
    const cache = res.headers[cairnHeaders.cache];
    return { status: res.statusCode, cache: typeof cache === 'string' ? cache : 'none' };
  } catch {
    return { status: 0, cache: 'error' };
  }
}

/** Asks `path` of the gateway until it answers HIT: the rule is applied and the proxy serves. */
async function warm(gateway: Gateway, path: string): Promise<void> {
  for (let i = 0; i < WARM_TRIES; i++) {
    if ((await get(gateway.pool, path)).cache === 'HIT') return;
    await sleep(100);
  }
  throw new GatewayStartError(`gateway ${gateway.id}: ${path} not a HIT after ${WARM_TRIES} tries\n--- its output ---\n${gateway.proc.output()}`);
}

// ---- metrics ----

interface FleetMetrics {
  received: Record<string, number>;
  offered: Record<string, number>;
  lagSum: number;
  lagCount: number;
}

function addLabelled(into: Record<string, number>, text: string, name: string, label: string): void {
  const pattern = new RegExp(`^${name}\\{[^}]*\\b${label}="([^"]*)"[^}]*\\}\\s+(\\S+)`, 'gm');
  for (const match of text.matchAll(pattern)) into[match[1] as string] = (into[match[1] as string] ?? 0) + Number(match[2]);
}

function plain(text: string, name: string): number {
  const match = new RegExp(`^${name}(?:\\{\\})?\\s+(\\S+)`, 'm').exec(text);
  return match === null ? 0 : Number(match[1]);
}

async function fleetMetrics(gateways: Gateway[]): Promise<FleetMetrics> {
  const sum: FleetMetrics = { received: {}, offered: {}, lagSum: 0, lagCount: 0 };
  for (const text of await Promise.all(gateways.map(async (g) => (await fetch(`${g.adminUrl}/metrics`, { signal: AbortSignal.timeout(5000) })).text()))) {
    addLabelled(sum.received, text, 'cairn_gateway_replication_received_total', 'result');
    addLabelled(sum.offered, text, 'cairn_gateway_replication_offered_total', 'kind');
    sum.lagSum += plain(text, 'cairn_gateway_replication_lag_seconds_sum');
    sum.lagCount += plain(text, 'cairn_gateway_replication_lag_seconds_count');
  }
  return sum;
}

function diff(after: FleetMetrics, before: FleetMetrics): FleetMetrics {
  const sub = (a: Record<string, number>, b: Record<string, number>) => Object.fromEntries(Object.entries(a).map(([k, v]) => [k, v - (b[k] ?? 0)]).filter(([, v]) => v !== 0));
  return { received: sub(after.received, before.received), offered: sub(after.offered, before.offered), lagSum: after.lagSum - before.lagSum, lagCount: after.lagCount - before.lagCount };
}

// ---- phases ----

async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const proc = startTracked(process.execPath, ['--import', 'tsx', '--conditions=source', LOAD_CLIENT, JSON.stringify(spec)], { cwd: REPO_ROOT });
  let out = '';
  proc.child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => proc.child.once('close', (code) => resolve(code)));
  const code = await Promise.race([exited, sleep((spec.seconds + 60) * 1000).then(() => 'timeout' as const)]);
  await proc.stop();
  if (code !== 0) throw new Error(`load client ${code === 'timeout' ? 'did not finish in time' : `exited ${code}`}: ${proc.output().slice(-1000)}`);
  return JSON.parse(out.trim().split('\n').pop() as string) as LoadResult;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((sorted.length * p) / 100) - 1))] ?? NaN;

interface LagResult {
  objects: number;
  pairs: number;
  arrived: number;
  never: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** The first GET at gateway 0 answered other than MISS (should be 0). */
  firstNotMiss: number;
  originRequestsPerObject: number;
  /** From the gateways' own histogram: publish (peer's clock) to store, mean over stored fills. */
  gatewayLagMeanMs: number;
  pollErrors: number;
}

async function runLag(gateways: Gateway[], prefix: string, replication: boolean): Promise<LagResult> {
  const [first, ...peers] = gateways as [Gateway, ...Gateway[]];
  const giveUpMs = replication ? LAG_GIVE_UP_MS : LAG_GIVE_UP_OFF_MS;
  const lags: number[] = [];
  let [never, firstNotMiss, pollErrors] = [0, 0, 0];
  const before = await fleetMetrics(gateways);
  for (let j = 0; j < lagObjects; j++) {
    const path = `${prefix}${j}`;
    const miss = await get(first.pool, path);
    const missEnd = performance.now();
    if (miss.status !== 200 || miss.cache !== 'MISS') firstNotMiss++;
    const arrivals = await Promise.all(
      peers.map(async (peer) => {
        for (let poll = 0; poll < LAG_MAX_POLLS; poll++) {
          const answer = await get(peer.pool, path, true);
          const now = performance.now();
          if (answer.status === 200 && answer.cache === 'HIT') return now - missEnd;
          if (answer.status !== 504) pollErrors++;
          if (now - missEnd >= giveUpMs) return undefined;
          await sleep(LAG_POLL_MS);
        }
        return undefined;
      }),
    );
    for (const lag of arrivals) {
      if (lag === undefined) never++;
      else lags.push(lag);
    }
    // A plain request at every peer: a HIT if the fill arrived, the origin's otherwise.
    await Promise.all(peers.map((peer) => get(peer.pool, path)));
  }
  const metrics = diff(await fleetMetrics(gateways), before);
  lags.sort((a, b) => a - b);
  return {
    objects: lagObjects,
    pairs: lagObjects * peers.length,
    arrived: lags.length,
    never,
    p50Ms: percentile(lags, 50),
    p99Ms: percentile(lags, 99),
    maxMs: lags.at(-1) ?? NaN,
    firstNotMiss,
    originRequestsPerObject: originRequests(prefix).total / lagObjects,
    gatewayLagMeanMs: metrics.lagCount > 0 ? (metrics.lagSum / metrics.lagCount) * 1000 : NaN,
    pollErrors,
  };
}

interface RunResult {
  gateways: number;
  replication: boolean;
  coalescing: boolean;
  startupS: number;
  load: LoadResult & {
    originRequests: number;
    originRequestsPerObject: number;
    /** Objects the origin was asked for more than once, and the most times one was. */
    originDuplicatedObjects: number;
    originMaxPerObject: number;
    boundWithoutReplicationPerObject: number;
    hitRatio: number;
    replicatedFillsPerS: number;
    metrics: FleetMetrics;
  };
  lag: LagResult;
}

async function runFleet(run: number, size: number, mode: Mode): Promise<RunResult> {
  const { replication } = mode;
  const scope = new Scope();
  try {
    const started = performance.now();
    const nats = await startNatsServer();
    scope.add(() => nats.stop());
    const dir = await tempDir('cairn-bench-replication-');
    scope.add(() => dir.remove());
    writeFileSync(join(dir.path, 'cacheConfiguration.bench.json'), JSON.stringify({ defaultOrigin: originUrl, defaultCacheKey: {} }));
    // As the rules and invalidation services would: their streams, and one catch-all rule.
    const nc = await connect({ servers: nats.url, timeout: 5000 });
    let ruleSeq: number;
    try {
      await ensureStreams(await nc.jetstreamManager(), { replicas: 1, invalidationRetentionMs: 24 * 3600_000 }, createLogger('bench', 'silent'));
      const h = natsHeaders();
      h.set(cairnHeaders.natsOp, 'upsert');
      const rule = ruleSchema.parse({ id: 'all', pathPatterns: ['^/.*$'], ttl: '1h' });
      ruleSeq = (await nc.jetstream().publish(subjects.rule('all'), encodeMessage({ op: 'upsert', rule }), { headers: h, timeout: 5000 })).seq;
    } finally {
      await nc.close();
    }
    const gateways: Gateway[] = [];
    scope.add(() => Promise.all(gateways.map((g) => g.proc.stop())));
    scope.add(() => Promise.all(gateways.map((g) => g.pool.destroy())));
    const starts = await Promise.allSettled(Array.from({ length: size }, (_, i) => startGateway(`r${run}-gw${i}`, nats.url, dir.path, mode, ruleSeq)));
    for (const start of starts) if (start.status === 'fulfilled') gateways.push(start.value);
    const failed = starts.find((start): start is PromiseRejectedResult => start.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
    for (const gateway of gateways) await warm(gateway, `/warm/r${run}-${gateway.id}`);
    const startupS = (performance.now() - started) / 1000;
    log(`run ${run}: ${size} gateways, replication ${modeName(mode)}: started in ${startupS.toFixed(1)} s`);

    const loadPrefix = `/obj/r${run}-load-`;
    const before = await fleetMetrics(gateways);
    const load = await runLoad({ gateways: gateways.map((g) => g.url), prefix: loadPrefix, objects, clients, requests, seconds, zipf, seed: seed + run, bodyBytes: BODY_BYTES });
    const metrics = diff(await fleetMetrics(gateways), before);
    const fromOrigin = originRequests(loadPrefix);
    const loadResult = {
      ...load,
      originRequests: fromOrigin.total,
      originRequestsPerObject: fromOrigin.total / load.distinctObjects,
      originDuplicatedObjects: fromOrigin.duplicated,
      originMaxPerObject: fromOrigin.max,
      boundWithoutReplicationPerObject: load.objectGatewayPairs / load.distinctObjects,
      hitRatio: (load.cache.HIT ?? 0) / load.requests,
      replicatedFillsPerS: (metrics.received.stored ?? 0) / load.durationS,
      metrics,
    };
    log(
      `run ${run} load: ${load.requests} requests in ${load.durationS.toFixed(1)} s (${load.rps.toFixed(0)} req/s, ${load.errors} errors), ` +
        `origin ${fromOrigin.total} for ${load.distinctObjects} objects (${loadResult.originRequestsPerObject.toFixed(3)}/object), HIT ${(loadResult.hitRatio * 100).toFixed(1)} %, ` +
        `received ${JSON.stringify(metrics.received)}, offered ${JSON.stringify(metrics.offered)}`,
    );
    if (load.firstError !== undefined) log(`run ${run} load: first error: ${load.firstError}`);

    await sleep(SETTLE_MS);
    const lag = await runLag(gateways, `/obj/r${run}-lag-`, replication);
    log(
      `run ${run} lag: ${lag.arrived}/${lag.pairs} arrived, p50 ${lag.p50Ms.toFixed(2)} ms, p99 ${lag.p99Ms.toFixed(2)} ms, max ${lag.maxMs.toFixed(2)} ms, ` +
        `never ${lag.never}, origin ${lag.originRequestsPerObject.toFixed(2)}/object, gateway-side mean ${lag.gatewayLagMeanMs.toFixed(2)} ms`,
    );
    return { gateways: size, replication, coalescing: mode.coalescing, startupS, load: loadResult, lag };
  } finally {
    await scope.close();
  }
}

// ---- report ----

function table(results: RunResult[]): string {
  const f = (n: number, digits: number) => (Number.isFinite(n) ? n.toFixed(digits) : '—');
  const lines = [
    `load: ${clients} keep-alive clients, ${requests} requests or ${seconds} s, ${objects} objects of ${BODY_BYTES} B (${zipf > 0 ? `zipf s=${zipf}` : 'uniform'}), a random gateway per request; ` +
      `lag: ${lagObjects} fresh objects, MISS at gateway 0, peers polled with only-if-cached every ~${LAG_POLL_MS} ms (give up after ${LAG_GIVE_UP_MS} ms)`,
    '',
    '| gateways | replication | origin req / object | (without replication at most) | req/s | load p50 / p99 ms | HIT ratio | replicated fills/s | errors | lag p50 ms | lag p99 ms | lag max ms | never arrived | lag phase: origin req / object |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of results) {
    const lag = r.replication ? [f(r.lag.p50Ms, 2), f(r.lag.p99Ms, 2), f(r.lag.maxMs, 2), `${r.lag.never} / ${r.lag.pairs}`] : ['never', 'never', 'never', `${r.lag.never} / ${r.lag.pairs}`];
    lines.push(
      `| ${r.gateways} | ${modeName(r)} | ${f(r.load.originRequestsPerObject, 3)} | ${f(r.load.boundWithoutReplicationPerObject, 2)} | ${f(r.load.rps, 0)} | ${f(r.load.p50Ms, 0)} / ${f(r.load.p99Ms, 0)} | ${f(r.load.hitRatio, 3)} | ${f(r.load.replicatedFillsPerS, 0)} | ${r.load.errors} | ${lag.join(' | ')} | ${f(r.lag.originRequestsPerObject, 2)} |`,
    );
  }
  return lines.join('\n');
}

let shuttingDown: Promise<void> | undefined;
function shutdown(code: number): Promise<void> {
  shuttingDown ??= stopAll().finally(() => process.exit(code));
  return shuttingDown;
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    // tsx passes the signal on, and a terminal's Ctrl-C reaches the whole group: log it once.
    if (shuttingDown === undefined) log(`${signal}: stopping everything this bench started`);
    void shutdown(130);
  });
}

async function main(): Promise<void> {
  const results: RunResult[] = [];
  let run = 0;
  for (const [k, size] of fleets.entries()) {
    const modes = k % 2 === 0 ? MODES : [...MODES].reverse();
    for (const mode of modes) results.push(await runFleet(++run, size, mode));
  }
  const rank = (r: RunResult) => MODES.findIndex((m) => m.replication === r.replication && m.coalescing === r.coalescing);
  results.sort((a, b) => a.gateways - b.gateways || rank(a) - rank(b));
  process.stdout.write(`${table(results)}\n\n`);
  process.stdout.write(`${JSON.stringify({ config: { fleets, objects, requests, seconds, clients, lagObjects, zipf, seed, bodyBytes: BODY_BYTES }, results }, null, 2)}\n`);
}

main().then(
  () => shutdown(0),
  (err: unknown) => {
    if (shuttingDown !== undefined) return;
    log(err instanceof GatewayStartError ? err.message : `failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return shutdown(1);
  },
);
