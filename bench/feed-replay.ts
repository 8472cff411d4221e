/**
 * `npm run bench`: how long a gateway takes from start to ready (both feeds replayed)
 * with many retained rules and invalidation events, against the time to read the same
 * streams with a bare ordered consumer in the same process (the baseline).
 * Loopback only; every loop is bounded.
 */
import { startGateway } from '@cairn/gateway';
import { createLogger, encodeMessage, invalidationPublisherHeaders, readLatestPerSubject, streamNames, subjects } from '@cairn/shared';
import { startNatsServer, startOrigin, tempDir } from '@cairn/testing';
import { connect } from 'nats';
import { benchGatewayConfig } from './bench-gateway.js';

/** Events marked as the invalidation service marks them: gateways skip unmarked ones (#9). */
const marked = invalidationPublisherHeaders();

const RULES = Number(process.env.BENCH_RULES ?? 10_000);
const INVALIDATIONS = Number(process.env.BENCH_INVALIDATIONS ?? 100_000);
const RUNS = 3;

const nats = await startNatsServer();
const origin = await startOrigin();
const dir = await tempDir('cairn-bench-');
const nc = await connect({ servers: nats.url });
const logger = createLogger('bench', 'silent');
const gatewayConfig = benchGatewayConfig(nats.url, origin.url, dir.path);
const config = (run: number) => gatewayConfig(`data-${run}`);

// The first gateway creates the streams; then fill them.
await (await startGateway(config(0), logger)).close();
const js = nc.jetstream();
async function publishAll(count: number, make: (i: number) => [string, Uint8Array]): Promise<void> {
  const window = 2000;
  for (let i = 0; i < count; i += window) {
    const acks: Promise<unknown>[] = [];
    for (let j = i; j < Math.min(count, i + window); j++) acks.push(js.publish(...make(j), { headers: marked }));
    await Promise.all(acks);
  }
}
const fillStarted = performance.now();
await publishAll(RULES, (i) => [
  subjects.rule(`rule-${i}`),
  encodeMessage({ op: 'upsert', rule: { id: `rule-${i}`, description: '', pathPatterns: [`^/section-${i}/.*$`], ttl: '1h' } }),
]);
await publishAll(INVALIDATIONS, (i) => [
  subjects.invalidation('tag', 'all', `tag-${i}`),
  encodeMessage({ id: `e${i}`, kind: 'tag', cache: 'all', key: `tag-${i}`, mode: 'hard', issuedAt: new Date().toISOString(), source: 'nats' }),
]);
console.log(`published ${RULES} rules and ${INVALIDATIONS} invalidation events in ${Math.round(performance.now() - fillStarted)} ms`);

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
const baseline: number[] = [];
const gateway: number[] = [];
for (let run = 1; run <= RUNS; run++) {
  let started = performance.now();
  const rules = await readLatestPerSubject(nc, streamNames.rules, subjects.allRules);
  const invalidations = await readLatestPerSubject(nc, streamNames.invalidations, subjects.allInvalidations);
  baseline.push(performance.now() - started);
  if (rules.length !== RULES || invalidations.length !== INVALIDATIONS) throw new Error('baseline read an unexpected number of messages');

  started = performance.now();
  const g = await startGateway(config(run), logger);
  gateway.push(performance.now() - started);
  await g.close();
}
const ms = (v: number) => `${Math.round(v)} ms`;
console.log(`bare ordered-consumer read of both streams (baseline): median ${ms(median(baseline))} [${baseline.map(ms).join(', ')}]`);
console.log(`gateway start to ready (replay + index + listen):       median ${ms(median(gateway))} [${gateway.map(ms).join(', ')}]`);
console.log(`ratio gateway / baseline: ${(median(gateway) / median(baseline)).toFixed(2)}`);

await nc.close();
await origin.close();
await nats.stop();
await dir.remove();
