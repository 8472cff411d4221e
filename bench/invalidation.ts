/**
 * `npm run bench:invalidation` (README, Invalidation, issue 5):
 *
 * 1. Confirmation latency: `POST /cache/invalidate` on a real invalidation service with
 *    three live gateways; the call answers once every gateway has applied the event and
 *    acknowledged it, so its duration is publish-to-all-gateways-applied (plus the HTTP
 *    round trip). p50/p99 over 200 invalidations, against a bare JetStream publish of the
 *    same event in the same script (the baseline).
 * 2. Replay: a gateway's start-to-ready time with 100,000 retained invalidation events,
 *    against a bare ordered-consumer read of the same stream.
 *
 * Loopback only; every loop is bounded.
 */
import { startGateway } from '@cairn/gateway';
import { loadInvalidationConfig, startInvalidationService } from '@cairn/invalidation';
import { createLogger, encodeMessage, invalidationPublisherHeaders, readLatestPerSubject, streamNames, subjects } from '@cairn/shared';
import { eventually, startNatsServer, startOrigin, tempDir } from '@cairn/testing';
import { connect } from 'nats';
import { benchGatewayConfig } from './bench-gateway.js';

/** Events marked as the invalidation service marks them: gateways skip unmarked ones (#9). */
const marked = invalidationPublisherHeaders();

const EVENTS = Number(process.env.BENCH_INVALIDATIONS ?? 100_000);
const UPDATES = 200;

const nats = await startNatsServer();
const origin = await startOrigin();
const dir = await tempDir('cairn-bench-invalidation-');
const logger = createLogger('bench', 'silent');
const gatewayConfig = benchGatewayConfig(nats.url, origin.url, dir.path);
const nc = await connect({ servers: nats.url });

const quantiles = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number).toFixed(1);
  return { text: `p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, max ${at(1)} ms`, p50: Number(at(0.5)) };
};

try {
  console.log(`## Confirmation: POST /cache/invalidate → applied and acknowledged by 3 gateways (${UPDATES} invalidations)`);
  const service = await startInvalidationService(loadInvalidationConfig({ NATS_URL: nats.url, AUTH_REQUIRED: 'false', HOST: '127.0.0.1', PORT: '0' }), logger);
  const gateways = await Promise.all(['g1', 'g2', 'g3'].map((id) => startGateway({ ...gatewayConfig(`data-${id}`), env: { ...gatewayConfig(`data-${id}`).env, GATEWAY_ID: id } }, logger)));
  await eventually(
    async () => {
      const live = (await (await fetch(`${service.url}/gateways`)).json()) as { gateways: unknown[] };
      if (live.gateways.length !== 3) throw new Error(`${live.gateways.length} gateways live`);
    },
    { timeoutMs: 10_000 },
  );
  const confirmed: number[] = [];
  for (let i = 0; i < UPDATES; i++) {
    const started = performance.now();
    const response = await fetch(`${service.url}/cache/invalidate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'cacheTag', cacheTag: `bench-${i % 20}` }),
    });
    const body = (await response.json()) as { acknowledgedBy: string[] };
    if (body.acknowledgedBy.length !== 3) throw new Error(`invalidation ${i}: acknowledged by ${body.acknowledgedBy.join(',') || 'nobody'}`);
    confirmed.push(performance.now() - started);
  }
  const js = nc.jetstream();
  const bare: number[] = [];
  for (let i = 0; i < UPDATES; i++) {
    const event = { id: `bare-${i}`, kind: 'tag', cache: 'all', key: `bare-${i % 20}`, mode: 'hard', issuedAt: new Date().toISOString(), source: 'nats' };
    const started = performance.now();
    await js.publish(subjects.invalidation('tag', 'all', event.key), encodeMessage(event), { headers: marked });
    bare.push(performance.now() - started);
  }
  const confirmedQ = quantiles(confirmed);
  const bareQ = quantiles(bare);
  console.log(`confirmed by all 3 gateways: ${confirmedQ.text}`);
  console.log(`bare JetStream publish (baseline): ${bareQ.text}`);
  console.log(`ratio p50 confirmed / bare publish: ${(confirmedQ.p50 / bareQ.p50).toFixed(1)}`);
  for (const gateway of gateways) await gateway.close();
  await service.close();

  console.log(`\n## Replay: gateway start → ready with ${EVENTS.toLocaleString('en')} retained invalidation events`);
  const fillStarted = performance.now();
  for (let i = 0; i < EVENTS; i += 2000) {
    const acks: Promise<unknown>[] = [];
    for (let j = i; j < Math.min(EVENTS, i + 2000); j++) {
      const event = { id: `e${j}`, kind: 'tag', cache: 'all', key: `tag-${j}`, mode: 'hard', issuedAt: new Date().toISOString(), source: 'nats' };
      acks.push(js.publish(subjects.invalidation('tag', 'all', event.key), encodeMessage(event), { headers: marked }));
    }
    await Promise.all(acks);
  }
  console.log(`(filled in ${Math.round(performance.now() - fillStarted)} ms)`);
  const replay: number[] = [];
  const read: number[] = [];
  for (let run = 0; run < 3; run++) {
    let started = performance.now();
    const messages = await readLatestPerSubject(nc, streamNames.invalidations, subjects.allInvalidations);
    read.push(performance.now() - started);
    if (messages.length < EVENTS) throw new Error(`read ${messages.length} events`);
    started = performance.now();
    const gateway = await startGateway(gatewayConfig(`replay-${run}`), logger);
    replay.push(performance.now() - started);
    await gateway.close();
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[1] as number;
  console.log(`gateway start → ready: median ${Math.round(median(replay))} ms [${replay.map(Math.round).join(', ')}]`);
  console.log(`bare ordered-consumer read (baseline): median ${Math.round(median(read))} ms; ratio ${(median(replay) / median(read)).toFixed(2)}`);
} finally {
  await nc.close();
  await origin.close();
  await nats.stop();
  await dir.remove();
}
