/**
 * The miss path at a moderate, fixed rate: wrk keeps 50 requests in flight, so its miss
 * latency is mostly queueing; what a miss adds over going straight to the origin shows only
 * when the servers are not saturated. An open-loop client in its own process (the origin runs
 * in the bench's) sends `rate` requests per second for `seconds` to never-seen paths, each
 * timed from when it was due (so a slow answer delays no later measurement), over keep-alive
 * connections opened as needed. The first second is a warm-up at the same rate, not counted:
 * without it the p99 of a 5 s run is mostly the client's own cold start and its first
 * connections (the first 20-60 ms of answers, on every server alike), not the steady state.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface PacedResult {
  /** Answers timed (the warm-up's are not). */
  requests: number;
  /** Requests sent, the warm-up's included: what the server's CPU was spent on. */
  sent: number;
  errors: number;
  p50Ms: number;
  p99Ms: number;
}

const WARM_SECONDS = 1;
const CLIENT = `const WARM_SECONDS = ${WARM_SECONDS};
import { Agent, request } from 'node:http';
const [base, prefix, rate, seconds] = [process.argv[2], process.argv[3], Number(process.argv[4]), Number(process.argv[5])];
const agent = new Agent({ keepAlive: true, maxSockets: 64 });
const warm = Math.round(rate * WARM_SECONDS), total = warm + Math.round(rate * seconds), latencies = [];
let errors = 0, done = 0;
const started = performance.now();
const finish = () => {
  latencies.sort((a, b) => a - b);
  const at = (p) => latencies[Math.min(latencies.length - 1, Math.floor((latencies.length * p) / 100))] ?? NaN;
  // Pipes are written synchronously on Linux: nothing is lost by exiting at once.
  process.stdout.write(JSON.stringify({ requests: latencies.length, sent: total, errors, p50Ms: at(50), p99Ms: at(99) }));
  process.exit(0);
};
const send = (i) => {
  const due = started + (i * 1000) / rate;
  let settled = false;
  const settle = (ok) => {
    if (settled) return;
    settled = true;
    if (!ok) errors++;
    else if (i >= warm) latencies.push(performance.now() - due);
    if (++done === total) finish();
  };
  request(base + prefix + i, { agent }, (res) => {
    res.resume();
    // 'close' comes whether or not the body arrived whole; complete says which.
    res.on('close', () => settle(res.statusCode === 200 && res.complete));
  }).on('error', () => settle(false)).end();
};
let next = 0;
const tick = () => {
  const now = performance.now();
  while (next < total && started + (next * 1000) / rate <= now) send(next++);
  if (next < total) setTimeout(tick, 1);
};
tick();
setTimeout(() => { process.stderr.write('paced load did not finish in time: ' + done + ' of ' + total + '\\n'); process.exit(1); }, (WARM_SECONDS + seconds + 30) * 1000);
`;

/** Writes the client once into `dir`; returns a function that runs one paced load. */
export function pacedClient(dir: string): (url: string, prefix: string, options: { rate: number; seconds: number }) => Promise<PacedResult> {
  const script = join(dir, 'paced-client.mjs');
  writeFileSync(script, CLIENT);
  return (url, prefix, { rate, seconds }) =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [script, url, prefix, String(rate), String(seconds)], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
      child.once('error', reject);
      child.once('close', (code) => {
        if (code !== 0 || out === '') return reject(new Error(`paced client exited ${code} without a result: ${err}`));
        resolve(JSON.parse(out) as PacedResult);
      });
    });
}
