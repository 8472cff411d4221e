/**
 * One wrk run (`wrk -t1 -c<n> -d<s> --latency`) and what it printed: requests, req/s, p50 and
 * p99. Paths other than one fixed URL come from a Lua `request` function (distinct keys,
 * never-seen keys for the miss path).
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface WrkResult {
  requests: number;
  seconds: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
}

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000 };

function latencyMs(output: string, percentile: string): number {
  const match = new RegExp(`^\\s+${percentile}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, 'm').exec(output);
  if (match === null) throw new Error(`wrk printed no ${percentile}% latency:\n${output}`);
  return Number(match[1]) * (UNIT_MS[match[2] as string] ?? Number.NaN);
}

export function parseWrk(output: string): WrkResult {
  const total = /^\s*(\d+) requests in ([\d.]+)(us|ms|s|m)/m.exec(output);
  const rps = /^Requests\/sec:\s+([\d.]+)/m.exec(output);
  if (total === null || rps === null) throw new Error(`unexpected wrk output:\n${output}`);
  const non2xx = /Non-2xx or 3xx responses:\s+(\d+)/.exec(output);
  return {
    requests: Number(total[1]),
    seconds: (Number(total[2]) * (UNIT_MS[total[3] as string] ?? Number.NaN)) / 1000,
    rps: Number(rps[1]),
    p50Ms: latencyMs(output, '50'),
    p99Ms: latencyMs(output, '99'),
    non2xx: non2xx === null ? 0 : Number(non2xx[1]),
  };
}

/** A Lua script for wrk that cycles through `/prefix0` … `/prefix<count-1>`, or counts up without end. */
export function pathScript(dir: string, name: string, prefix: string, count?: number): string {
  const file = join(dir, `${name}.lua`);
  const next = count === undefined ? 'i = i + 1' : `i = (i + 1) % ${count}`;
  writeFileSync(file, `local i = 0\nrequest = function()\n  ${next}\n  return wrk.format("GET", "${prefix}" .. i)\nend\n`);
  return file;
}

export function runWrk(url: string, options: { connections: number; seconds: number; script?: string }): Promise<WrkResult> {
  const args = ['-t1', `-c${options.connections}`, `-d${options.seconds}s`, '--latency', ...(options.script === undefined ? [] : ['-s', options.script]), url];
  return new Promise((resolve, reject) => {
    const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), (options.seconds + 30) * 1000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`wrk ${args.join(' ')} exited with ${code}:\n${out}`));
      try {
        resolve(parseWrk(out));
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
  });
}
