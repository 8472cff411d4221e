/**
 * The load client of `bench:replication`, in its own process (so the origin, in the bench's
 * process, answers without waiting behind the client's work): `clients` closed-loop clients,
 * each sending one request at a time to a gateway drawn at random for each request, for
 * `/<prefix><i>` with i drawn from `objects` (uniform, or zipf-like with exponent `zipf` > 0),
 * until `requests` were sent or `seconds` passed, whichever first. Keep-alive connections,
 * one undici Pool per gateway (connections opened as needed). Prints one JSON line.
 *
 * Usage (the bench starts it): `node --import tsx bench/fill-replication-load.ts '<json>'`.
 */
import { seededRandom } from '@cairn/testing';
import { Pool } from 'undici';

export interface LoadSpec {
  gateways: string[];
  /** Path prefix, e.g. `/obj/r1-load-`: the object's index follows. */
  prefix: string;
  objects: number;
  clients: number;
  requests: number;
  seconds: number;
  /** 0: uniform; s > 0: P(i) ∝ 1/(i+1)^s. */
  zipf: number;
  seed: number;
  bodyBytes: number;
}

export interface LoadResult {
  requests: number;
  durationS: number;
  rps: number;
  /** By `x-cairn-cache` (HIT, MISS, STALE, PASS, none). */
  cache: Record<string, number>;
  /** Transport errors, non-200 answers and bodies of the wrong size. */
  errors: number;
  statuses: Record<string, number>;
  distinctObjects: number;
  /** Σ over objects of the number of distinct gateways it was asked of: the origin requests a fleet without replication would make at most. */
  objectGatewayPairs: number;
  perGateway: number[];
  p50Ms: number;
  p99Ms: number;
  firstError?: string;
}

const HARD_LIMIT_GRACE_S = 30;

function sampler(spec: LoadSpec, random: () => number): () => number {
  if (spec.zipf <= 0) return () => Math.floor(random() * spec.objects);
  const cdf = new Float64Array(spec.objects);
  let total = 0;
  for (let i = 0; i < spec.objects; i++) cdf[i] = total += 1 / Math.pow(i + 1, spec.zipf);
  return () => {
    const x = random() * total;
    let [lo, hi] = [0, spec.objects - 1];
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cdf[mid] as number) < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

async function run(spec: LoadSpec): Promise<LoadResult> {
  const random = seededRandom(spec.seed);
  const pick = sampler(spec, () => random.next());
  const pools = spec.gateways.map((url) => new Pool(url, { connections: null, pipelining: 1, headersTimeout: 15_000, bodyTimeout: 15_000, keepAliveTimeout: 60_000 }));
  const seenBy = new Uint16Array(spec.objects);
  const perGateway = spec.gateways.map(() => 0);
  const latencies = new Float64Array(spec.requests);
  const cache: Record<string, number> = {};
  const statuses: Record<string, number> = {};
  let [issued, done, errors] = [0, 0, 0];
  let firstError: string | undefined;
  const started = performance.now();
  const deadline = started + spec.seconds * 1000;
  const client = async () => {
    while (issued < spec.requests && performance.now() < deadline) {
      issued++;
      const g = Math.floor(random.next() * pools.length);
      const i = pick();
      seenBy[i] = (seenBy[i] as number) | (1 << g);
      perGateway[g] = (perGateway[g] as number) + 1;
      const sent = performance.now();
      try {
        const res = await (pools[g] as Pool).request({ path: `${spec.prefix}${i}`, method: 'GET' });
        const body = Buffer.from(await res.body.arrayBuffer());
        statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
        const header = res.headers['x-cairn-cache'];
        const outcome = typeof header === 'string' ? header : 'none';
        cache[outcome] = (cache[outcome] ?? 0) + 1;
        if (res.statusCode !== 200 || body.length !== spec.bodyBytes) {
          errors++;
          firstError ??= `${res.statusCode}, ${body.length} bytes: ${body.subarray(0, 200).toString()}`;
        }
      } catch (err) {
        errors++;
        firstError ??= (err as Error).message;
        statuses.error = (statuses.error ?? 0) + 1;
      }
      latencies[done++] = performance.now() - sent;
    }
  };
  await Promise.all(Array.from({ length: spec.clients }, client));
  const durationS = (performance.now() - started) / 1000;
  await Promise.allSettled(pools.map((pool) => pool.destroy()));
  const sorted = latencies.subarray(0, done).sort();
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((sorted.length * p) / 100) - 1))] ?? NaN;
  let [distinctObjects, objectGatewayPairs] = [0, 0];
  for (const mask of seenBy) {
    if (mask === 0) continue;
    distinctObjects++;
    for (let m = mask; m !== 0; m &= m - 1) objectGatewayPairs++;
  }
  return { requests: done, durationS, rps: done / durationS, cache, errors, statuses, distinctObjects, objectGatewayPairs, perGateway, p50Ms: at(50), p99Ms: at(99), ...(firstError === undefined ? {} : { firstError }) };
}

const spec = JSON.parse(process.argv[2] ?? '') as LoadSpec;
if (spec.gateways.length > 16) throw new Error('at most 16 gateways');
setTimeout(() => {
  process.stderr.write(`load client did not finish within ${spec.seconds + HARD_LIMIT_GRACE_S} s\n`);
  process.exit(1);
}, (spec.seconds + HARD_LIMIT_GRACE_S) * 1000).unref();
run(spec).then(
  (result) => {
    // Pipes are written synchronously on Linux: nothing is lost by exiting at once.
    process.stdout.write(`${JSON.stringify(result)}\n`);
    process.exit(0);
  },
  (err: unknown) => {
    process.stderr.write(`load client failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
