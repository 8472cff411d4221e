/**
 * `npm run bench:workers [-- --rounds 3 --seconds 4]`: the gateway with
 * WORKERS=1 and WORKERS=2 (and any further `--variant NAME=ENV=VALUE` settings) in the same
 * run, interleaved rounds of wrk (-t1 -c50) on the miss path (never-seen 1 KB keys, so every
 * request takes a fill lease with WORKERS > 1) and a hot 1 KB hit. Reports medians and the
 * ratio to WORKERS=1. Every process is stopped by PID at the end.
 */
import { parseArgs } from 'node:util';
import { tempDir } from '@cairn/testing';
import { onCleanup, stopAll } from './conformance/processes.js';
import { startCairn } from './conformance/proxies/cairn.js';
import { startBenchOrigin } from './vs-nginx/bench-origin.js';
import { treeCpuSeconds } from './vs-nginx/process-cpu.js';
import { pathScript, runWrk } from './vs-nginx/wrk.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '4' },
    variant: { type: 'string', multiple: true, default: [] },
  },
});
const rounds = Number(values.rounds);
const seconds = Number(values.seconds);
const log = (line: string) => process.stderr.write(`[workers] ${line}\n`);

interface Target {
  name: string;
  url: string;
  pid: number;
}

async function start(name: string, workers: number, env: Record<string, string>): Promise<Target> {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  const started = await startCairn(origin.url, workers).finally(() => {
    for (const key of Object.keys(env)) if (saved[key] === undefined) delete process.env[key];
  });
  if (!started.ok) throw new Error(`${name}: ${started.reason}`);
  return { name, url: started.target.url, pid: started.target.pid };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

const origin = await startBenchOrigin();
onCleanup(() => origin.close());
const dir = await tempDir('cairn-bench-workers-');
onCleanup(() => dir.remove());

async function main(): Promise<void> {
  const targets = [await start('WORKERS=1', 1, {}), await start('WORKERS=2', 2, {})];
  for (const spec of values.variant as string[]) {
    const [name, key, value] = spec.split('=');
    targets.push(await start(`WORKERS=2 ${name}`, 2, { [key as string]: value as string }));
  }
  for (const target of targets) await (await fetch(`${target.url}/hot1k`)).arrayBuffer();
  const samples = new Map<string, { rps: number; p50: number; p99: number; cpu: number }[]>();
  for (let round = 0; round < rounds; round++) {
    for (const scenario of ['miss', 'hit'] as const) {
      const order = targets.map((_, i) => targets[(i + round) % targets.length] as Target);
      for (const target of order) {
        const tag = target.name.replace(/\W/g, '');
        const script = scenario === 'miss' ? pathScript(dir.path, `miss-${round}-${tag}`, `/m/${round}-${tag}-`) : undefined;
        const cpuBefore = treeCpuSeconds(target.pid);
        const result = await runWrk(`${target.url}${scenario === 'miss' ? '/m/' : '/hot1k'}`, { connections: 50, seconds, script });
        const cpu = ((treeCpuSeconds(target.pid) - cpuBefore) * 1e6) / Math.max(1, result.requests);
        const key = `${scenario}\0${target.name}`;
        samples.set(key, [...(samples.get(key) ?? []), { rps: result.rps, p50: result.p50Ms, p99: result.p99Ms, cpu }]);
        log(`round ${round + 1}/${rounds} ${scenario} ${target.name}: ${result.rps.toFixed(0)} req/s, p50 ${result.p50Ms.toFixed(2)} ms, p99 ${result.p99Ms.toFixed(2)} ms, ${cpu.toFixed(0)} µs CPU/req`);
      }
    }
  }
  const lines = [`wrk -t1 -c50, ${seconds} s per run, ${rounds} interleaved rounds, medians`, ''];
  for (const scenario of ['miss', 'hit']) {
    const base = median((samples.get(`${scenario}\0WORKERS=1`) ?? []).map((s) => s.rps));
    lines.push(`## ${scenario}`, '', '| gateway | req/s | vs WORKERS=1 | p50 ms | p99 ms | CPU µs/req |', '|---|---|---|---|---|---|');
    for (const target of targets) {
      const runs = samples.get(`${scenario}\0${target.name}`) ?? [];
      const m = (pick: (s: (typeof runs)[number]) => number) => median(runs.map(pick));
      lines.push(`| ${target.name} | ${m((s) => s.rps).toFixed(0)} | ${(m((s) => s.rps) / base).toFixed(2)}× | ${m((s) => s.p50).toFixed(2)} | ${m((s) => s.p99).toFixed(2)} | ${m((s) => s.cpu).toFixed(0)} |`);
    }
    lines.push('');
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().then(
  async () => {
    await stopAll();
    process.exit(0);
  },
  async (err: unknown) => {
    log(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    await stopAll();
    process.exit(1);
  },
);
