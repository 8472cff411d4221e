/**
 * Poison messages and unbounded work (issue 9 items 5–10): inputs on NATS and the admin
 * APIs that stalled the queue, overwrote purges, split the fleet or blocked event loops.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { encodeMessage, headers as cairnHeaders, streamNames, subjects, urlInvalidationKeyOf } from '@cairn/shared';
import { headers as natsHeaders, type NatsConnection } from 'nats';
import { get, json, median, metricsText, sampleLatency, seriesCount, within } from '../lib/probes.js';
import { memoryMb } from '../lib/proc-stat.js';
import type { ServiceProcess } from '../lib/processes.js';
import type { Observation } from '../lib/report.js';
import * as x from './expectations.js';
import { readyJson, staleAfter, warm, type Scenario } from './context.js';

interface InvalidateAnswer {
  sequence?: number;
  acknowledgedBy?: string[];
  pending?: string[];
  deleted?: number;
}

async function queuedCommands(nc: NatsConnection): Promise<number> {
  return (await (await nc.jetstreamManager()).streams.info(streamNames.commands)).state.messages;
}

/** Waits until the command queue is back to `baseline` messages (what an earlier row left stuck is not this row's). */
async function commandsDrained(nc: NatsConnection, boundMs: number, baseline = 0): Promise<{ drained: boolean; pending: number }> {
  let pending = -1;
  const drained = await within(boundMs, async () => {
    pending = (await queuedCommands(nc)) - baseline;
    return pending <= 0;
  }, 200);
  return { drained, pending };
}

async function publishAll(nc: NatsConnection, subject: string, payloads: Iterable<Uint8Array>): Promise<number> {
  let n = 0;
  for (const payload of payloads) {
    nc.publish(subject, payload);
    if (++n % 1000 === 0) await nc.flush();
  }
  await nc.flush();
  return n;
}

async function longUrl(s: Scenario): Promise<Observation> {
  const path = `/long/${'a'.repeat(x.LONG_URL_BYTES - '/long/'.length)}`;
  const first = await get(`${s.a.url}${path}`);
  const cached = first.status === 200 && (await warm(s.a, [path])) === 1;
  s.sys.origin.bump(path);
  const rest = await json<InvalidateAnswer>(`${s.sys.invalidation.url}/cache/invalidate`, 'POST', { type: 'url', url: path });
  const acked = rest.value.acknowledgedBy?.includes('gw-a') ?? false;
  // The same command over NATS, then an ordinary one behind it: the queue must not stall.
  const after = '/long-after/1';
  await warm(s.a, [after]);
  s.sys.origin.bump(after);
  await publishAll(s.sys.nc, subjects.invalidationCommands, [encodeMessage({ type: 'url', url: path }), encodeMessage({ type: 'url', url: after })]);
  const queue = await commandsDrained(s.sys.nc, 5000);
  const afterStale = await staleAfter(s.sys, s.a, [after], x.INVALIDATION_SETTLE_MS);
  const longStale = cached ? await staleAfter(s.sys, s.a, [path], 2000) : [];
  // A command that can never be applied would stall every later row: clear the queue.
  if (!queue.drained) await (await s.sys.nc.jetstreamManager()).streams.purge(streamNames.commands);
  const statusOk = x.LONG_URL_STATUSES.includes(first.status);
  return {
    pass: statusOk && rest.status === 200 && acked && queue.drained && afterStale.length === 0 && longStale.length === 0,
    observed: `gateway ${first.status}${cached ? ' (cached)' : ''}; REST ${rest.status}, acked by gw-a: ${acked}; NATS queue ${queue.drained ? 'drained' : `stalled (${queue.pending} pending)`}; next command applied: ${afterStale.length === 0}; long entry purged: ${cached ? longStale.length === 0 : 'n/a'}`,
    lost: afterStale.length + longStale.length + (acked ? 0 : 1),
  };
}

/**
 * A group purge (kept in every gateway's map, not deleted from disk), then commands whose
 * `Cairn-Reply-To` names its subject: a reply stored there would replace the purge, and a
 * restarted gateway, replaying the last message per subject, would serve the entry again.
 */
async function replyTo(s: Scenario): Promise<Observation> {
  const rule = await json(`${s.sys.rules.url}/rules/reply-group`, 'PUT', { description: 'fault suite: reply-to victims', pathPatterns: ['^/reply/.*$'], ttl: '5m', groupCode: 'reply-victims' });
  if (rule.status !== 204) throw new Error(`PUT /rules/reply-group: ${rule.status}`);
  const gateway = await s.sys.gateway('gw-reply');
  const path = '/reply/victim';
  await within(3000, async () => (await get(`${gateway.url}${path}`, { headers: { [cairnHeaders.debug]: 'true' } })).headers.get(cairnHeaders.debugRuleId) === 'reply-group');
  await warm(gateway, [path]);
  s.sys.origin.bump(path);
  const purge = await json<InvalidateAnswer>(`${s.sys.invalidation.url}/cache/invalidate`, 'POST', { type: 'group', groupCode: 'reply-victims' });
  const jsm = await s.sys.nc.jetstreamManager();
  const purgeSeq = purge.value.sequence ?? -1;
  const subject = (await jsm.streams.getMessage(streamNames.invalidations, { seq: purgeSeq })).subject;
  // Asking gw-reply now would refill the entry: its acknowledgement says it applied the purge.
  const purgedLive = purge.value.acknowledgedBy?.includes('gw-reply') ?? false;
  let replies = 0;
  const sub = s.sys.nc.subscribe(subject, { callback: () => replies++ });
  // A malformed and a valid command, each asking for its result on the purge's subject.
  for (const payload of [{ type: 'nope' }, { type: 'url', url: '/reply/other' }]) {
    const h = natsHeaders();
    h.set(cairnHeaders.natsReplyTo, subject);
    s.sys.nc.publish(subjects.invalidationCommands, encodeMessage(payload), { headers: h });
  }
  await s.sys.nc.flush();
  await commandsDrained(s.sys.nc, 10_000);
  await within(2000, () => replies >= 2);
  sub.unsubscribe();
  const lastSeq = (await jsm.streams.getMessage(streamNames.invalidations, { last_by_subj: subject })).seq;
  await gateway.terminate();
  const restarted = await s.sys.gateway('gw-reply');
  const after = await get(`${restarted.url}${path}`);
  const servedPurged = after.body !== s.sys.origin.bodyFor(path);
  await restarted.terminate();
  return {
    pass: purgedLive && lastSeq === purgeSeq && !servedPurged,
    observed: `group purge seq ${purgeSeq} (acked by gw-reply: ${purgedLive}); replies published on its subject: ${replies}; last on that subject: ${lastSeq}${lastSeq === purgeSeq ? '' : ' (OVERWRITTEN)'}; restarted gateway ${servedPurged ? `served the purged entry (${after.cache})` : `served the origin's current answer (${after.cache})`}`,
    lost: servedPurged ? 1 : 0,
  };
}

async function forgedEvent(s: Scenario): Promise<Observation> {
  const path = '/forged/victim';
  await warm(s.a, [path]);
  const before = s.sys.origin.count(path);
  const key = urlInvalidationKeyOf(path);
  const event = { id: 'forged-1', kind: 'url', cache: 'all', key, mode: 'hard', issuedAt: new Date().toISOString(), source: 'nats' };
  const ack = await s.sys.nc.jetstream().publish(subjects.invalidation('url', 'all', key), encodeMessage(event));
  const caughtUp = await within(5000, async () => ((await readyJson(s.a)).invalidations?.appliedSeq ?? 0) >= ack.seq);
  const answer = await get(`${s.a.url}${path}`);
  const applied = s.sys.origin.count(path) > before || answer.cache !== 'HIT';
  return {
    pass: !applied,
    observed: `forged url event seq ${ack.seq} (gateway caught up: ${caughtUp}); entry ${applied ? `invalidated by it (${answer.cache})` : 'still a HIT: event ignored'}`,
  };
}

async function ruleView(gateway: ServiceProcess, path: string): Promise<string> {
  const answer = await get(`${gateway.url}${path}`, { headers: { [cairnHeaders.debug]: 'true' } });
  return answer.headers.get(cairnHeaders.debugRuleId) === 'malformed-row' ? 'present' : 'absent';
}

async function malformedRule(s: Scenario): Promise<Observation> {
  const rule = { description: 'fault suite: a rule whose next event is malformed', pathPatterns: ['^/mr/.*$'], ttl: '5m' };
  const put = await json(`${s.sys.rules.url}/rules/malformed-row`, 'PUT', rule);
  await within(3000, async () => (await ruleView(s.a, '/mr/0')) === 'present');
  const h = natsHeaders();
  h.set(cairnHeaders.natsOp, 'upsert');
  const ack = await s.sys.nc.jetstream().publish(subjects.rule('malformed-row'), encodeMessage({ op: 'upsert', rule: { id: 'malformed-row', pathPatterns: 'not-a-list' } }), { headers: h });
  await within(5000, async () => ((await readyJson(s.a)).rules?.revision ?? 0) >= ack.seq);
  const live = await ruleView(s.a, '/mr/1');
  const service = (await json(`${s.sys.rules.url}/rules/malformed-row`)).status === 200 ? 'present' : 'absent';
  const fresh = await s.sys.gateway('gw-replay');
  const replayed = await ruleView(fresh, '/mr/2');
  await fresh.terminate();
  const agree = live === service && service === replayed;
  return {
    pass: put.status === 204 && agree,
    observed: `live gateway: ${live}, restarted gateway: ${replayed}, rules service: ${service}${agree ? ' (agree)' : ' (DIVERGE)'}`,
  };
}

async function pathological(s: Scenario): Promise<Observation> {
  const pathPatterns = Array.from({ length: 20 }, (_, i) => `a.{0,990}b${i}`);
  const put = await json(`${s.sys.rules.url}/rules/pathological`, 'PUT', { description: 'fault suite: pathological patterns', pathPatterns, ttl: '5m' });
  if (put.status === 204) await within(3000, async () => (await get(`${s.a.url}/patho-probe`, { headers: { [cairnHeaders.debug]: 'true' } })).status > 0);
  await sleep(300);
  const path = `/${'a'.repeat(15 * 1024)}`;
  const request = get(`${s.a.url}${path}`, {}, 60_000).catch((err: unknown) => ({ status: 0, ms: NaN, err }));
  const samples = await sampleLatency(`${s.a.adminUrl}/health`, request, 5);
  const answer = await request;
  if (put.status === 204) await json(`${s.sys.rules.url}/rules/pathological`, 'DELETE');
  const worst = Math.max(...samples);
  return {
    pass: worst < x.HEALTH_DURING_PATHOLOGICAL_BOUND_MS,
    observed: `20 patterns a.{0,990}bN: PUT ${put.status}; 15 KB request → ${answer.status} in ${answer.ms.toFixed(0)} ms; concurrent /health worst ${worst.toFixed(0)} ms, p50 ${median(samples).toFixed(1)} ms (${samples.length} samples)`,
  };
}

async function adminReads(s: Scenario): Promise<Observation> {
  // Group events: the list reads them like any other, gateways only record them (no index walk).
  const pad = 'g'.repeat(1000);
  const commands = (function* () {
    for (let i = 0; i < x.ADMIN_READ_EVENTS; i++) yield encodeMessage({ type: 'group', groupCode: `${i}-${pad}` });
  })();
  const baseline = await queuedCommands(s.sys.nc);
  await publishAll(s.sys.nc, subjects.invalidationCommands, commands);
  const queue = await commandsDrained(s.sys.nc, 60_000, baseline);
  const pid = s.sys.invalidation.pid;
  const peakBefore = memoryMb(pid, 'VmHWM');
  const rssBefore = memoryMb(pid, 'VmRSS');
  const reads = await Promise.all(
    Array.from({ length: 8 }, (_, i) => json(`${s.sys.invalidation.url}/cache/invalidations${i % 2 === 0 ? '' : '?limit=500'}`)),
  );
  const peakAfter = memoryMb(pid, 'VmHWM');
  const growth = peakAfter - Math.max(rssBefore, 0);
  const biggest = Math.max(...reads.map((r) => r.bytes));
  const slowest = Math.max(...reads.map((r) => r.ms));
  const statuses = [...new Set(reads.map((r) => r.status))].join(',');
  return {
    pass: queue.drained && reads.every((r) => r.status === 200) && growth < x.ADMIN_READ_RSS_GROWTH_BOUND_MB && biggest <= x.ADMIN_READ_BODY_BOUND_BYTES,
    observed: `${x.ADMIN_READ_EVENTS} events of ~1 KB (queue ${queue.drained ? 'drained' : 'stalled'}); 8 concurrent reads → ${statuses}, slowest ${slowest.toFixed(0)} ms, largest body ${(biggest / 1024).toFixed(0)} KB; RSS ${rssBefore.toFixed(0)} MB → peak ${peakAfter.toFixed(0)} MB (peak before ${peakBefore.toFixed(0)})`,
  };
}

async function badCommandSeries(s: Scenario): Promise<Observation> {
  const before = seriesCount(await metricsText(s.sys.invalidation.url), 'cairn_invalidation_');
  const payloads = (function* () {
    for (let i = 0; i < 20_000; i++) yield encodeMessage({ type: 'url', url: '/bad', [`attacker_field_${i}`]: 1 });
  })();
  const baseline = await queuedCommands(s.sys.nc);
  await publishAll(s.sys.nc, subjects.invalidationCommands, payloads);
  const queue = await commandsDrained(s.sys.nc, 60_000, baseline);
  const after = seriesCount(await metricsText(s.sys.invalidation.url), 'cairn_invalidation_');
  return {
    pass: queue.drained && after <= x.METRIC_SERIES_BOUND,
    observed: `20000 commands with distinct unknown fields: queue ${queue.drained ? 'drained' : 'stalled'}; cairn_invalidation_* series ${before} → ${after}`,
  };
}

async function fakeHeartbeats(s: Scenario): Promise<Observation> {
  const beats = (function* () {
    for (let i = 0; i < x.FAKE_HEARTBEATS; i++) yield encodeMessage({ gatewayId: `fake-gateway-${i}`, appliedSeq: 0, mode: 'normal', sentAt: new Date().toISOString() });
  })();
  await publishAll(s.sys.nc, subjects.gatewayHeartbeats, beats);
  await sleep(300);
  const answer = await json<InvalidateAnswer>(`${s.sys.invalidation.url}/cache/invalidate`, 'POST', { type: 'url', url: '/hb/x' });
  const acked = answer.value.acknowledgedBy?.includes('gw-a') ?? false;
  return {
    pass: answer.status === 200 && acked && answer.ms < x.HEARTBEAT_POST_BOUND_MS && answer.bytes <= x.HEARTBEAT_BODY_BOUND_BYTES,
    observed: `${x.FAKE_HEARTBEATS} fake gateway ids: POST /cache/invalidate ${answer.status} in ${answer.ms.toFixed(0)} ms, body ${(answer.bytes / 1024).toFixed(1)} KB, acked by gw-a: ${acked}, pending listed: ${answer.value.pending?.length ?? 'n/a'}`,
  };
}

export async function poisonMessageRows(s: Scenario): Promise<void> {
  const g = 'messages';
  await s.report.row(g, `5: a ${x.LONG_URL_BYTES / 1024} KB url invalidation (REST and NATS)`, `applied end to end (gw-a acks), the queue does not stall; gateway answers ${x.LONG_URL_STATUSES.join(' or ')}`, () => longUrl(s), 60_000);
  await s.report.row(g, '6: Cairn-Reply-To naming the purge\'s cache.invalidations subject', 'the purge is not overwritten; after a gateway restart the purged entry is not served', () => replyTo(s));
  await s.report.row(g, '6: an event on CACHE_INVALIDATIONS not written by the invalidation service', 'ignored: the entry stays a HIT', () => forgedEvent(s));
  await s.report.row(g, '7: a malformed rule event after a valid revision', 'live gateway, restarted gateway and rules service agree', () => malformedRule(s));
  await s.report.row(g, '8: 20 patterns a.{0,990}b + one 15 KB request', `gateway's /health answers < ${x.HEALTH_DURING_PATHOLOGICAL_BOUND_MS} ms throughout (or the rule refused)`, () => pathological(s), 90_000);
  await s.report.row(g, '10: 8 concurrent GET /cache/invalidations', `RSS growth < ${x.ADMIN_READ_RSS_GROWTH_BOUND_MB} MB, each body ≤ ${x.ADMIN_READ_BODY_BOUND_BYTES / 1024} KB`, () => adminReads(s), 120_000);
  await s.report.row(g, '10: 20,000 bad commands with attacker-chosen field names', `≤ ${x.METRIC_SERIES_BOUND} metric series (closed label set)`, () => badCommandSeries(s), 90_000);
  await s.report.row(g, '10: 20,000 fake heartbeat gateway ids', `POST /cache/invalidate answers < ${x.HEARTBEAT_POST_BOUND_MS} ms with a body ≤ ${x.HEARTBEAT_BODY_BOUND_BYTES / 1024} KB`, () => fakeHeartbeats(s));
}
