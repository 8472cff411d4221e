/**
 * Faults (issue 9 items 11–14): a full disk, url deletions through the index, origin pool
 * starvation, `Expect: 100-continue`, idle and non-reading clients, client aborts.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Handler } from '../lib/origin.js';
import { get, json, metricsText, pool, sumMetric, within } from '../lib/probes.js';
import { memoryMb } from '../lib/proc-stat.js';
import { openSocket, parseResponse } from '../lib/raw-http.js';
import type { Observation } from '../lib/report.js';
import * as x from './expectations.js';
import { staleAfter, warm, type Scenario } from './context.js';

const port = (url: string) => Number(new URL(url).port);

async function urlEvents(s: Scenario): Promise<Observation> {
  // Varied shapes: plain, with a query, deep, percent-encoded non-ASCII, digits only.
  const shapes = [(i: number) => `/u12/${i}`, (i: number) => `/u12/q${i}?v=${i}`, (i: number) => `/u12/d${i}/${'seg/'.repeat(i % 40)}x`, (i: number) => `/u12/%C3%A9${i}`, (i: number) => `/u12/${i}/${i * 7919}`];
  const paths = Array.from({ length: x.URL_EVENTS }, (_, i) => (shapes[i % shapes.length] as (i: number) => string)(i));
  const stored = await warm(s.a, paths);
  let zero = 0;
  const zeroByShape = new Map<number, number>();
  let deleted = 0;
  let refused = 0;
  await pool(paths, 10, async (path, i) => {
    s.sys.origin.bump(path);
    const answer = await json<{ deleted?: number }>(`${s.sys.invalidation.url}/cache/invalidate`, 'POST', { type: 'url', url: path });
    if (answer.status !== 200) refused++;
    const n = answer.value.deleted ?? 0;
    deleted += n;
    if (n < 1) {
      zero++;
      zeroByShape.set(i % shapes.length, (zeroByShape.get(i % shapes.length) ?? 0) + 1);
    }
  });
  const failing = [...zeroByShape.keys()].map((shape) => (shapes[shape] as (i: number) => string)(shape)).join(' ');
  const stale = await staleAfter(s.sys, s.a, paths, x.INVALIDATION_SETTLE_MS);
  return {
    pass: stored === paths.length && zero === 0 && refused === 0 && stale.length === 0,
    observed: `${stored}/${paths.length} stored; acks report ${deleted} deleted, ${zero} commands with deleted: 0${zero > 0 ? ` (shapes like ${failing})` : ''}, ${refused} not 200; still served: ${stale.length}`,
    lost: stale.length,
  };
}

/** A raw POST/PUT with `Expect: 100-continue`: the body is sent after the interim answer (or 1 s, RFC 9110 §10.1.1). */
async function expectContinue(gatewayPort: number, method: string, path: string, body: string): Promise<{ status: number | undefined; interim: boolean }> {
  const socket = await openSocket(gatewayPort);
  let data = '';
  socket.on('data', (chunk: Buffer) => (data += chunk.toString('latin1')));
  socket.on('error', () => undefined);
  socket.write(`${method} ${path} HTTP/1.1\r\nHost: gw\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\nExpect: 100-continue\r\n\r\n`);
  const interim = await within(1000, () => data.startsWith('HTTP/1.1 100'), 10);
  if (!parseResponse(data).complete) socket.write(body);
  await within(5000, () => parseResponse(data).complete, 10);
  socket.destroy();
  return { status: parseResponse(data).response.status, interim };
}

async function expectRow(s: Scenario): Promise<Observation> {
  s.sys.origin.on('/expect/', (req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(`got:${req.body}`);
  });
  const errorsBefore = sumMetric(await metricsText(s.a.adminUrl), x.ORIGIN_ERRORS_METRIC);
  const results: string[] = [];
  let ok = 0;
  for (const method of ['POST', 'PUT']) {
    const path = `/expect/${method.toLowerCase()}`;
    const answer = await expectContinue(port(s.a.url), method, path, 'hello-world');
    const reached = s.sys.origin.received(path).some((r) => r.method === method && r.body === 'hello-world');
    if (reached && answer.status !== undefined && answer.status < 300) ok++;
    results.push(`${method} → ${answer.status ?? 'no answer'}${answer.interim ? ' (after 100)' : ''}, origin got the body: ${reached}`);
  }
  const errorsAfter = sumMetric(await metricsText(s.a.adminUrl), x.ORIGIN_ERRORS_METRIC);
  return { pass: ok === 2, observed: `${results.join('; ')}; origin errors +${errorsAfter - errorsBefore}` };
}

function abortSeries(text: string): number {
  let sum = 0;
  for (const match of text.matchAll(x.ABORT_METRIC)) sum += Number(match[2] ?? match[3]) || 0;
  return sum;
}

async function clientAborts(s: Scenario): Promise<Observation> {
  s.sys.origin.on('/abort/', (req, res) => {
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(`late:${req.url}`);
    }, 1500);
  });
  s.sys.origin.on('/pass/abort/', (req, res) => {
    setTimeout(() => {
      if (res.destroyed) return;
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(`late:${req.url}`);
    }, 1500);
  });
  // A body the origin sends in parts: clients leave in the middle of it.
  const inParts: Handler = (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.write('x'.repeat(64 * 1024));
    const timer = setTimeout(() => res.end('x'.repeat(64 * 1024)), 1000);
    res.once('close', () => clearTimeout(timer));
  };
  s.sys.origin.on('/abort-stream/', inParts);
  s.sys.origin.on('/pass/abort-stream/', inParts);
  const before = await metricsText(s.a.adminUrl);
  const paths = [...Array.from({ length: 10 }, (_, i) => `/abort/${i}`), ...Array.from({ length: 10 }, (_, i) => `/pass/abort/${i}`)];
  await Promise.all(paths.map((path) => fetch(`${s.a.url}${path}`, { signal: AbortSignal.timeout(200) }).then((r) => r.arrayBuffer(), () => undefined)));
  const streams = ['/abort-stream/1', '/abort-stream/2', '/pass/abort-stream/1', '/pass/abort-stream/2'];
  await Promise.all(
    streams.map(async (path) => {
      const controller = new AbortController();
      const response = await fetch(`${s.a.url}${path}`, { signal: controller.signal }).catch(() => undefined);
      await response?.body?.getReader().read().catch(() => undefined);
      controller.abort();
    }),
  );
  for (const method of ['POST', 'PUT']) await expectContinue(port(s.a.url), method, `/expect/abort14-${method}`, 'hello-world');
  await sleep(2500);
  const after = await metricsText(s.a.adminUrl);
  const originErrors = sumMetric(after, x.ORIGIN_ERRORS_METRIC) - sumMetric(before, x.ORIGIN_ERRORS_METRIC);
  const aborts = abortSeries(after) - abortSeries(before);
  return {
    pass: originErrors === 0 && aborts > 0,
    observed: `20 clients aborted before the answer (10 misses, 10 passes), 4 in mid-body, 2 Expect requests: origin errors +${originErrors}, abort counter +${aborts}`,
  };
}

async function poolStarvation(s: Scenario): Promise<Observation> {
  s.sys.origin.on('/slow/', (req, res) => {
    setTimeout(() => {
      if (res.destroyed) return;
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(`slow:${req.url}`);
    }, x.SLOW_ORIGIN_MS);
  });
  const slow = Array.from({ length: x.SLOW_FILLS }, (_, i) => get(`${s.a.url}/slow/${i}`, {}, x.SLOW_ORIGIN_MS * 3).catch(() => undefined));
  // The pool is full once the origin stops seeing new slow requests.
  let inFlight = 0;
  await within(3000, async () => {
    const before = s.sys.origin.received('/slow/').length;
    await sleep(200);
    inFlight = s.sys.origin.received('/slow/').length;
    return inFlight >= 50 && inFlight === before;
  }, 10);
  const unrelated = await get(`${s.a.url}/unrelated/1`, {}, x.SLOW_ORIGIN_MS * 3).catch(() => undefined);
  const answered = (await Promise.all(slow)).filter((a) => a !== undefined).length;
  const fast = unrelated !== undefined && x.UNRELATED_MISS_STATUSES.includes(unrelated.status) && unrelated.ms < x.UNRELATED_MISS_BOUND_MS;
  return {
    pass: fast,
    observed: `${x.SLOW_FILLS} slow unique URLs (${x.SLOW_ORIGIN_MS} ms each; ${inFlight} reached the origin at once); unrelated miss → ${unrelated?.status ?? 'no answer'} in ${unrelated?.ms.toFixed(0) ?? '—'} ms; slow ones answered: ${answered}`,
  };
}

async function slowReaders(s: Scenario): Promise<Observation> {
  const body = Buffer.alloc(x.BIG_ENTRY_BYTES, 'b');
  s.sys.origin.on('/big/', (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(body.length) });
    res.end(body);
  });
  const hit = (await warm(s.a, ['/big/1'])) === 1;
  const pid = s.a.pid;
  const before = memoryMb(pid, 'VmRSS');
  const sockets = await Promise.all(Array.from({ length: x.SLOW_READERS }, () => openSocket(port(s.a.url))));
  for (const socket of sockets) {
    socket.on('error', () => undefined);
    socket.pause();
    socket.write('GET /big/1 HTTP/1.1\r\nHost: gw\r\n\r\n');
  }
  let peak = before;
  for (let i = 0; i < 20; i++) {
    await sleep(200);
    peak = Math.max(peak, memoryMb(pid, 'VmRSS'));
  }
  const health = await get(`${s.a.adminUrl}/health`).catch(() => undefined);
  for (const socket of sockets) socket.destroy();
  const growth = peak - before;
  return {
    pass: hit && growth < x.SLOW_READERS_RSS_GROWTH_BOUND_MB,
    observed: `${x.SLOW_READERS} clients not reading a ${x.BIG_ENTRY_BYTES / 1024 / 1024} MB HIT${hit ? '' : ' (never a HIT)'}: gateway RSS ${before.toFixed(0)} → ${peak.toFixed(0)} MB (+${growth.toFixed(0)}); /health ${health?.status ?? 'no answer'} in ${health?.ms.toFixed(0) ?? '—'} ms`,
  };
}

async function diskFull(s: Scenario): Promise<Observation> {
  const mount = join(s.sys.dir.path, 'tmpfs');
  mkdirSync(mount, { recursive: true });
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${x.DISK_TMPFS_MB}m`, 'tmpfs', mount], { encoding: 'utf8' });
  if (mounted.status !== 0) return { pass: 'unavailable', observed: `unavailable: cannot mount a tmpfs (${(mounted.stderr || mounted.error?.message || '').trim().slice(0, 80)})` };
  try {
    return await onFullDisk(s, mount);
  } finally {
    spawnSync('umount', ['-l', mount]);
  }
}

async function onFullDisk(s: Scenario, mount: string): Promise<Observation> {
  s.sys.origin.on('/disk/', (req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(`${req.url}:${'d'.repeat(256 * 1024)}`);
  });
  const gateway = await s.sys.gateway('gw-disk', { dataDir: join(mount, 'data') });
  const hitBefore = (await warm(gateway, ['/disk/hit'])) === 1;
  // Leave ~1 MB free, then fill past it.
  const stats = statfsSync(mount);
  const filler = join(mount, 'filler');
  writeFileSync(filler, Buffer.alloc(Math.max(0, stats.bavail * stats.bsize - 1024 * 1024)));
  let failedFills = 0;
  for (let i = 0; i < 40 && gateway.alive(); i++) {
    const answer = await get(`${gateway.url}/disk/fill/${i}`).catch(() => undefined);
    if (answer?.status !== 200) failedFills++;
    // The hit entry is a hot one, as in production: the eviction a full disk forces takes
    // the least recently used entries, and an entry nobody read since the start is one.
    await get(`${gateway.url}/disk/hit`).catch(() => undefined);
  }
  await sleep(1000);
  const alive = gateway.alive();
  const observations: string[] = [`alive after filling: ${alive}`];
  let pass = alive && hitBefore;
  if (alive) {
    const hit = await get(`${gateway.url}/disk/hit`);
    const passed = await get(`${gateway.url}/pass/disk`);
    const ready = await fetch(`${gateway.adminUrl}/ready`).then(async (r) => `${r.status} ${await r.text()}`);
    const metrics = await metricsText(gateway.adminUrl);
    const reported = { ready: x.READY_STORE_FAULT.test(ready.slice(4)), metrics: x.STORE_FAULT_METRIC.test(metrics) };
    rmSync(filler);
    const resumed = await within(10_000, async () => (await get(`${gateway.url}/disk/after/1`)).cache === 'HIT', 250);
    let sigterm: string;
    try {
      sigterm = `exited in ${await gateway.terminate(x.SIGTERM_BOUND_MS)} ms`;
    } catch (err) {
      sigterm = (err as Error).message;
      pass = false;
    }
    observations.push(`hit ${hit.cache}, pass ${passed.status}, /ready ${ready.slice(0, 3)} reports it: ${reported.ready}, metrics report it: ${reported.metrics}, storing resumed after freeing: ${resumed}, SIGTERM: ${sigterm}`);
    pass &&= hit.cache === 'HIT' && passed.status === 200 && reported.ready && reported.metrics && resumed;
  } else {
    observations.push(`gateway exited (${await gateway.exited}) after ${failedFills} failed fills`);
  }
  return { pass, observed: `tmpfs ${x.DISK_TMPFS_MB} MB filled; ${observations.join('; ')}` };
}

/** Opens idle connections at the start of the run; the returned function reports their row. */
export async function startIdleProbe(s: Scenario): Promise<() => Promise<void>> {
  const started = Date.now();
  const closedAt: number[] = [];
  const sockets = await Promise.all(Array.from({ length: x.IDLE_CONNECTIONS }, () => openSocket(port(s.a.url))));
  for (const socket of sockets) {
    socket.on('error', () => undefined);
    // Read what the gateway sends (a 408): a paused socket never sees the end, so never closes.
    socket.resume();
    socket.once('close', () => closedAt.push(Date.now() - started));
  }
  return () =>
    s.report.row('faults', `13: ${x.IDLE_CONNECTIONS} client connections that never send a byte`, `closed by the gateway within ${x.IDLE_CLOSE_BOUND_MS / 1000} s`, async () => {
      await within(Math.max(0, x.IDLE_CLOSE_BOUND_MS - (Date.now() - started)), () => closedAt.length === sockets.length, 250);
      for (const socket of sockets) socket.destroy();
      const slowest = closedAt.length > 0 ? Math.max(...closedAt) : NaN;
      const all = closedAt.length === sockets.length;
      return { pass: all, observed: `${closedAt.length}/${sockets.length} closed by the gateway${closedAt.length > 0 ? `, the last after ${(slowest / 1000).toFixed(1)} s` : ''} (watched ${((Date.now() - started) / 1000).toFixed(0)} s)` };
    }, x.IDLE_CLOSE_BOUND_MS + 10_000);
}

export async function faultRows(s: Scenario): Promise<void> {
  const g = 'faults';
  await s.report.row(g, `12: ${x.URL_EVENTS} url invalidation events`, 'each deletes its entry (acks report deleted ≥ 1); none served after', () => urlEvents(s), 90_000);
  await s.report.row(g, '13: POST and PUT with Expect: 100-continue', 'reach the origin with their body; 2xx', () => expectRow(s));
  await s.report.row(g, '14: client aborts (before and mid-body) and Expect requests', 'not counted as origin errors; counted apart', () => clientAborts(s));
  await s.report.row(g, `13: origin pool starvation (${x.SLOW_FILLS} slow unique URLs)`, `an unrelated miss answered (${x.UNRELATED_MISS_STATUSES.join(' or ')}) < ${x.UNRELATED_MISS_BOUND_MS} ms`, () => poolStarvation(s));
  await s.report.row(g, `13: ${x.SLOW_READERS} clients not reading a 5 MB HIT`, `gateway RSS grows < ${x.SLOW_READERS_RSS_GROWTH_BOUND_MB} MB`, () => slowReaders(s));
  await s.report.row(g, '11: disk full under the gateway\'s DATA_DIR', 'hits and passes served, /ready and metrics report it, storing resumes when space returns, SIGTERM works', () => diskFull(s), 90_000);
}
