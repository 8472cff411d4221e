/**
 * `npm run bench:key`: the cost of buildCacheKey (on every request, hits included) in ns
 * per key for four request shapes. With `BASELINE=<module>` (any module exporting
 * `buildCacheKey` with the same signature, e.g. a copy of an older cache-key.ts) it runs
 * both in interleaved rounds in this process and prints the ratio of the fastest rounds
 * (the least disturbed on a shared machine). Every loop is bounded.
 */
import { buildCacheKey, compileCacheKeyConfig, normalizePath, type CacheKeyConfig, type CacheKeyRequest } from '@cairn/shared';

type Build = (cache: 'api' | 'page', request: CacheKeyRequest, config: CacheKeyConfig, path?: string) => string;

interface Case {
  name: string;
  request: CacheKeyRequest;
  config: CacheKeyConfig;
}

const cookie = 'session=3f9a8c; lang=de; theme=dark; consent=1; ab=variant-b';
const cases: Case[] = [
  { name: 'path only', request: { url: '/products/shoes/123?utm_source=x', headers: {} }, config: compileCacheKeyConfig({ includeHeaders: [], includeQueryParams: [], includeCookies: [] }) },
  { name: 'all query params', request: { url: '/search?sort=price&q=shoes&page=2', headers: {} }, config: compileCacheKeyConfig({ includeHeaders: [], includeQueryParams: 'ALL', includeCookies: [] }) },
  {
    name: 'headers and a cookie',
    request: { url: '/api/items?a=1', headers: { 'accept-language': 'de-DE,de;q=0.9', 'x-device': 'mobile', cookie } },
    config: compileCacheKeyConfig({ includeHeaders: ['accept-language', 'x-device'], includeQueryParams: ['a'], includeCookies: ['lang'] }),
  },
  { name: 'hashed (1.5 KB query)', request: { url: `/s?q=${'x'.repeat(1500)}`, headers: {} }, config: compileCacheKeyConfig({ includeHeaders: [], includeQueryParams: 'ALL', includeCookies: [] }) },
];

const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 200_000);
const ROUNDS = 7;

/** ns per key over ITERATIONS keys; the sink keeps the work from being optimized away. */
function measure(build: Build, c: Case, path: string): number {
  let sink = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < ITERATIONS; i++) sink += build('page', c.request, c.config, path).length;
  const ns = Number(process.hrtime.bigint() - start) / ITERATIONS;
  if (sink === 0) throw new Error('no keys built');
  return ns;
}

const fastest = (values: number[]): number => Math.min(...values);

const baseline = process.env.BASELINE === undefined ? undefined : ((await import(process.env.BASELINE)) as { buildCacheKey: Build }).buildCacheKey;
const current = buildCacheKey as Build;

for (const c of cases) {
  const path = normalizePath(c.request.url);
  const now: number[] = [];
  const before: number[] = [];
  measure(current, c, path);
  if (baseline !== undefined) measure(baseline, c, path);
  // Alternate which runs first, so neither always inherits the other's garbage.
  for (let round = 0; round < ROUNDS; round++) {
    if (baseline !== undefined && round % 2 === 1) before.push(measure(baseline, c, path));
    now.push(measure(current, c, path));
    if (baseline !== undefined && round % 2 === 0) before.push(measure(baseline, c, path));
  }
  const line = `${c.name.padEnd(24)} ${fastest(now).toFixed(0).padStart(6)} ns/key`;
  console.log(baseline === undefined ? line : `${line}   baseline ${fastest(before).toFixed(0).padStart(6)} ns/key   ratio ${(fastest(now) / fastest(before)).toFixed(2)}`);
}
