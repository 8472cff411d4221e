/** Observations through public ports: HTTP answers, /metrics text, timings. */
import { setTimeout as sleep } from 'node:timers/promises';

export interface Answer {
  status: number;
  cache: string | null;
  body: string;
  headers: Headers;
  ms: number;
}

/** One request, fully read, with its outcome header and duration. */
export async function get(url: string, init: RequestInit = {}, timeoutMs = 10_000): Promise<Answer> {
  const started = performance.now();
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  const body = await response.text();
  return { status: response.status, cache: response.headers.get('x-cairn-cache'), body, headers: response.headers, ms: performance.now() - started };
}

export async function json<T>(url: string, method = 'GET', body?: unknown): Promise<{ status: number; value: T; bytes: number; ms: number }> {
  const started = performance.now();
  const response = await fetch(url, {
    method,
    signal: AbortSignal.timeout(30_000),
    ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  const text = await response.text();
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = text;
  }
  return { status: response.status, value: value as T, bytes: Buffer.byteLength(text), ms: performance.now() - started };
}

export async function metricsText(adminUrl: string): Promise<string> {
  return (await fetch(`${adminUrl}/metrics`, { signal: AbortSignal.timeout(10_000) })).text();
}

/** Sum of every series of `name` whose labels contain `labelFilter`. */
export function sumMetric(text: string, name: string, labelFilter = ''): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || line.startsWith('#')) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== '{' && rest[0] !== ' ') continue;
    if (!line.includes(labelFilter)) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1)) || 0;
  }
  return sum;
}

/** Number of series lines whose metric name starts with `prefix`. */
export function seriesCount(text: string, prefix: string): number {
  return text.split('\n').filter((line) => line.startsWith(prefix)).length;
}

export async function rssMb(adminUrl: string): Promise<number> {
  return sumMetric(await metricsText(adminUrl), 'process_resident_memory_bytes') / 1024 / 1024;
}

export const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
};

/** Polls until `check` returns true, within `boundMs`; returns whether it did. */
export async function within(boundMs: number, check: () => Promise<boolean> | boolean, intervalMs = 50): Promise<boolean> {
  const deadline = Date.now() + boundMs;
  for (;;) {
    if (await Promise.resolve().then(check).then((ok) => ok, () => false)) return true;
    if (Date.now() >= deadline) return false;
    await sleep(intervalMs);
  }
}

/** Runs `tasks` with at most `limit` at a time. */
export async function pool<T>(items: readonly T[], limit: number, task: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      await task(items[index] as T, index);
    }
  });
  await Promise.all(workers);
}

/** Samples an admin endpoint's answer time every `everyMs` until `stop` resolves. */
export async function sampleLatency(url: string, stop: Promise<unknown>, everyMs = 10): Promise<number[]> {
  const samples: number[] = [];
  let done = false;
  void stop.finally(() => (done = true));
  for (let i = 0; i < 100_000 && !done; i++) {
    const started = performance.now();
    await fetch(url, { signal: AbortSignal.timeout(30_000) }).then((r) => r.arrayBuffer(), () => undefined);
    samples.push(performance.now() - started);
    await sleep(everyMs);
  }
  return samples;
}
