/**
 * `npm run bench:auth`: what access control costs (README, Access control), in one script.
 *
 * - scrypt per cold credential: verifying one password at the default cost (N=2^14, r=8, p=1),
 *   which a gateway pays once per credential per cache TTL.
 * - a cached credential check in process (SHA-256 of the header + LRU lookup).
 * - HIT throughput with AUTH_REQUIRED=false against AUTH_REQUIRED=true with a cached
 *   credential: two gateway processes, runs interleaved (off, on, off, on …) so drift of the
 *   machine hits both; the ratio of the medians is the cost of auth on a hit.
 *   BENCH_CONTROL=1 runs the second gateway with auth off too: the ratio then is the noise
 *   floor between two identical processes on this machine.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { Authenticator, DEFAULT_COST, hashPassword, parsePasswordHash, verifyPassword } from '@cairn/shared';
import { tempDir } from '@cairn/testing';
import { startBenchGateway } from './gateway-process.js';

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = 10;
const BODY = Buffer.alloc(1024, 'x');
const AUTHORIZATION = `Basic ${Buffer.from('bench:bench-pw').toString('base64')}`;

const dir = await tempDir('cairn-bench-auth-');
const usersFile = join(dir.path, 'users.json');
writeFileSync(usersFile, JSON.stringify({ users: [{ username: 'bench', passwordHash: await hashPassword('bench-pw'), roles: ['cache_user'] }] }));

// scrypt per cold credential.
const hash = parsePasswordHash(await hashPassword('bench-pw', DEFAULT_COST));
const SCRYPT_RUNS = 20;
let started = performance.now();
for (let i = 0; i < SCRYPT_RUNS; i++) await verifyPassword('bench-pw', hash);
const scryptMs = (performance.now() - started) / SCRYPT_RUNS;

// A cached credential check, in process.
const authenticator = new Authenticator({ usersFile, events: { failed: () => undefined, refused: () => undefined } });
await authenticator.check(AUTHORIZATION, '127.0.0.1');
const CACHED_RUNS = 1_000_000;
started = performance.now();
for (let i = 0; i < CACHED_RUNS; i++) void authenticator.check(AUTHORIZATION, '127.0.0.1');
const cachedUs = ((performance.now() - started) * 1000) / CACHED_RUNS;

const off = await startBenchGateway({ body: BODY, contentType: 'text/plain' });
const control = process.env.BENCH_CONTROL === '1';
const on = await startBenchGateway({ body: BODY, contentType: 'text/plain', env: control ? {} : { AUTH_REQUIRED: 'true', USERS_FILE: usersFile } });
try {
  await off.warm('/hit');
  await on.warm('/hit', { headers: { authorization: AUTHORIZATION } });
  const run = async (url: string, headers: Record<string, string>) => {
    const result = await autocannon({ url: `${url}/hit`, connections: CONNECTIONS, duration: DURATION_S, headers });
    if (result.errors + result.non2xx > 0) throw new Error(`${result.errors} errors, ${result.non2xx} non-2xx answers`);
    return result.requests.average;
  };
  const rps = { off: [] as number[], on: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
    rps.off.push(await run(off.gatewayUrl, {}));
    rps.on.push(await run(on.gatewayUrl, { authorization: AUTHORIZATION }));
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
  const [offRps, onRps] = [median(rps.off), median(rps.on)];
  process.stdout.write(
    [
      `scrypt per cold credential (N=${DEFAULT_COST.N}, r=${DEFAULT_COST.r}, p=${DEFAULT_COST.p}): ${scryptMs.toFixed(1)} ms`,
      `cached credential check: ${cachedUs.toFixed(2)} µs (${Math.round((scryptMs * 1000) / cachedUs)}× cheaper than scrypt)`,
      `HIT, AUTH_REQUIRED=false:             ${Math.round(offRps)} req/s (median of ${ROUNDS}: ${rps.off.map(Math.round).join(', ')})`,
      `HIT, AUTH_REQUIRED=true, cached cred: ${Math.round(onRps)} req/s (median of ${ROUNDS}: ${rps.on.map(Math.round).join(', ')})`,
      `ratio authenticated / unauthenticated: ${(onRps / offRps).toFixed(3)}${control ? ' (BENCH_CONTROL: both gateways without auth)' : ''}`,
      '',
    ].join('\n'),
  );
} finally {
  await off.stop();
  await on.stop();
  await dir.remove();
}
