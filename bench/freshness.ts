/**
 * `npm run bench:freshness`: the store-time cost of deciding a response's freshness, in
 * ns per response, for typical response header sets: the gateway's own RFC 9111 modules
 * (directives, lifetime, corrected initial age) against http-cache-semantics'
 * `new CachePolicy(...)`, `storable()` and `timeToLive()`, which the gateway used before
 * issue 10. http-cache-semantics is no dependency any more: the comparison runs when it is
 * installed (`npm i --no-save http-cache-semantics`), else ours alone. Interleaved rounds;
 * the fastest round of each is reported (the least disturbed on a shared machine). Every
 * loop is bounded.
 */
import { parseTtl } from '@cairn/shared';
import { correctedInitialAgeMs } from '../services/gateway/src/http/age.js';
import { storedFreshnessMs } from '../services/gateway/src/http/freshness.js';
import { responseDirectives } from '../services/gateway/src/http/response-directives.js';

type Headers = Record<string, string>;
interface Policy {
  storable(): boolean;
  timeToLive(): number;
}
type PolicyConstructor = new (request: { method: string; url: string; headers: Headers }, response: { status: number; headers: Headers }, options: { shared: boolean }) => Policy;

const now = Date.now();
const date = new Date(now).toUTCString();
const cases: { name: string; headers: Headers }[] = [
  { name: 'max-age', headers: { date, 'cache-control': 'public, max-age=600', 'content-type': 'text/html', etag: '"v1"' } },
  { name: 's-maxage + swr + sie + Age', headers: { date, age: '30', 'cache-control': 'max-age=60, s-maxage=300, stale-while-revalidate=30, stale-if-error=86400' } },
  { name: 'Expires + Date', headers: { date, expires: new Date(now + 3_600_000).toUTCString(), 'content-type': 'image/png' } },
  { name: 'heuristic (Last-Modified)', headers: { date, 'last-modified': new Date(now - 86_400_000).toUTCString(), 'content-type': 'text/css' } },
];

const ttl = parseTtl('origin_expires')!;
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 100_000);
const ROUNDS = 7;

function ours(headers: Headers): number {
  const responseTime = Date.now();
  const initialAgeMs = correctedInitialAgeMs({ age: headers.age, date: headers.date, requestTime: responseTime, responseTime });
  return storedFreshnessMs(ttl, { status: 200, fields: headers, directives: responseDirectives(headers), responseTime }, initialAgeMs);
}

function theirs(Policy: PolicyConstructor, headers: Headers): number {
  const policy = new Policy({ method: 'GET', url: '/x', headers: {} }, { status: 200, headers }, { shared: true });
  return policy.storable() ? policy.timeToLive() : 0;
}

/** ns per response; the sink keeps the work from being optimized away. */
function measure(decide: (headers: Headers) => number, headers: Headers): number {
  let sink = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < ITERATIONS; i++) sink += decide(headers);
  const ns = Number(process.hrtime.bigint() - start) / ITERATIONS;
  if (sink === 0) throw new Error('no freshness computed');
  return ns;
}

async function baseline(): Promise<PolicyConstructor | undefined> {
  // A variable specifier: the package is optional and may be absent.
  const name = 'http-cache-semantics';
  try {
    return ((await import(name)) as { default: PolicyConstructor }).default;
  } catch {
    console.log('http-cache-semantics is not installed: measuring the gateway modules alone');
    return undefined;
  }
}

const Policy = await baseline();
for (const c of cases) {
  const mine: number[] = [];
  const before: number[] = [];
  const other = Policy === undefined ? undefined : (headers: Headers) => theirs(Policy, headers);
  measure(ours, c.headers);
  if (other !== undefined) measure(other, c.headers);
  // Alternate which runs first, so neither always inherits the other's garbage.
  for (let round = 0; round < ROUNDS; round++) {
    if (other !== undefined && round % 2 === 1) before.push(measure(other, c.headers));
    mine.push(measure(ours, c.headers));
    if (other !== undefined && round % 2 === 0) before.push(measure(other, c.headers));
  }
  const fastest = Math.min(...mine);
  let line = `${c.name.padEnd(28)} ours ${fastest.toFixed(0).padStart(6)} ns/response`;
  if (other !== undefined) {
    const theirsFastest = Math.min(...before);
    line += `   http-cache-semantics ${theirsFastest.toFixed(0).padStart(6)} ns   ratio ours/theirs ${(fastest / theirsFastest).toFixed(2)}`;
  }
  console.log(line);
}
