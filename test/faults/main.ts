/**
 * `npm run test:faults` (issue 9): injects each fault and hostile input into a real Cairn
 * (nats-server, rules and invalidation services, gateways as processes, an origin; all on
 * loopback), prints one table and exits non-zero if any row failed. Every wait is bounded.
 * FAULTS_ONLY=<group,...> runs some groups, FAULTS_MATCH=<text> only rows whose fault contains it;
 * FAULTS_KEEP_LOGS=1 keeps the services' logs.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { json } from './lib/probes.js';
import { Report } from './lib/report.js';
import { startFaultSystem } from './lib/system.js';
import type { Scenario } from './scenarios/context.js';
import { GATEWAY_ENV, INVALIDATION_ENV } from './scenarios/expectations.js';
import { faultRows, startIdleProbe } from './scenarios/faults.js';
import { heldRows } from './scenarios/held.js';
import { poisonMessageRows } from './scenarios/poison-messages.js';
import { poisoningRows } from './scenarios/poisoning.js';
import { churnRows } from './scenarios/rule-churn.js';

/** The whole run is bounded: past this, the table is printed with what finished. */
const RUN_BOUND_MS = 8 * 60_000;
const started = Date.now();
const only = process.env.FAULTS_ONLY?.split(',');
const wanted = (group: string) => only === undefined || only.includes(group);

const report = new Report(process.env.FAULTS_MATCH);
const sys = await startFaultSystem(
  () => ({
    cacheTagsHeader: 'x-tags',
    defaultCacheKey: { includeQueryParams: 'ALL', includeHeaders: ['x-k'], includeCookies: ['ck'] },
  }),
  { gateway: GATEWAY_ENV, invalidation: INVALIDATION_ENV },
);
let ok = false;
const watchdog = setTimeout(() => {
  process.stderr.write(`[faults] the run exceeded ${RUN_BOUND_MS} ms; stopping\n`);
  ok = report.print(Date.now() - started) && false;
  void sys.close().finally(() => process.exit(1));
}, RUN_BOUND_MS);
try {
  const rules: Array<[string, Record<string, unknown>]> = [
    ['everything', { description: 'faults: cache everything', pathPatterns: ['^/.*$'], ttl: '5m' }],
    ['passes', { description: 'faults: never cached', pathPatterns: ['^/pass/.*$'], ttl: 'no_cache' }],
    ['revalidated', { description: 'faults: revalidated each second', pathPatterns: ['^/r304/.*$'], ttl: '1s' }],
  ];
  for (const [id, rule] of rules) {
    const answer = await json(`${sys.rules.url}/rules/${id}`, 'PUT', rule);
    if (answer.status !== 204) throw new Error(`PUT /rules/${id}: ${answer.status} ${JSON.stringify(answer.value)}`);
  }
  const s: Scenario = { sys, a: await sys.gateway('gw-a'), b: await sys.gateway('gw-b'), report };
  const idle = wanted('faults') ? await startIdleProbe(s) : undefined;
  const stillRunning = wanted('held') ? await heldRows(s) : undefined;
  if (wanted('poisoning')) await poisoningRows(s);
  await stillRunning;
  if (wanted('messages')) await poisonMessageRows(s);
  if (wanted('faults')) await faultRows(s);
  await idle?.();
  if (wanted('churn')) await churnRows(s);
} catch (err) {
  await report.row('setup', 'the suite itself', 'runs to the end', async () => ({ pass: false, observed: String(err instanceof Error ? err.stack : err) }));
} finally {
  clearTimeout(watchdog);
  ok = report.print(Date.now() - started);
  await sys.close();
  await sleep(10);
}
process.exit(ok ? 0 : 1);
