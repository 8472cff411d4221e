/**
 * Rule churn (issue 9 item 9): many rules in every index, a PUT loop, HIT latency and
 * `POST /rules/test` time. Runs last: its rules stay in every index.
 */
import { encodeMessage, headers as cairnHeaders, subjects } from '@cairn/shared';
import { headers as natsHeaders } from 'nats';
import { get, json, median, within } from '../lib/probes.js';
import type { Observation } from '../lib/report.js';
import * as x from './expectations.js';
import { readyJson, warm, type Scenario } from './context.js';

export async function churnRows(s: Scenario): Promise<void> {
  await s.report.row('messages', `9: rule churn with ${x.CHURN_RULES} rules`, `HIT p50 < ${x.CHURN_HIT_P50_BOUND_MS} ms under a PUT loop; POST /rules/test < ${x.RULES_TEST_BOUND_MS} ms`, () => churn(s), 150_000);
}

async function churn(s: Scenario): Promise<Observation> {
  const js = s.sys.nc.jetstream();
  const h = natsHeaders();
  h.set(cairnHeaders.natsOp, 'upsert');
  for (let start = 0; start < x.CHURN_RULES; start += 1000) {
    await Promise.all(
      Array.from({ length: Math.min(1000, x.CHURN_RULES - start) }, (_, i) => {
        const id = `churn-${start + i}`;
        const rule = { id, description: 'fault suite: churn', pathPatterns: [`^/churn/r${start + i}/.*$`], ttl: '5m' };
        return js.publish(subjects.rule(id), encodeMessage({ op: 'upsert', rule }), { headers: h });
      }),
    );
  }
  const loaded = await within(60_000, async () => ((await readyJson(s.a)).rules?.count ?? 0) >= x.CHURN_RULES, 250);
  const hitPath = `${s.a.url}/churnhit/1`;
  await warm(s.a, ['/churnhit/1']);
  const baseline: number[] = [];
  for (let i = 0; i < 50; i++) baseline.push((await get(hitPath)).ms);
  let stop = false;
  let puts = 0;
  const putLoop = (async () => {
    for (let i = 0; i < 10_000 && !stop; i++) {
      const answer = await json(`${s.sys.rules.url}/rules/churn-put-${i % 10}`, 'PUT', { description: 'fault suite: churn', pathPatterns: [`^/churnput/${i % 10}/.*$`], ttl: `${1 + (i % 50)}m` });
      if (answer.status === 204) puts++;
    }
  })();
  const underChurn: number[] = [];
  let hits = 0;
  // Sampled for a while, not a count: a request pays for a rebuild only when a change is pending.
  const churnStarted = Date.now();
  for (let i = 0; i < 2000 && (Date.now() - churnStarted < 4000 || underChurn.length < 40); i++) {
    const answer = await get(hitPath);
    underChurn.push(answer.ms);
    if (answer.cache === 'HIT') hits++;
  }
  stop = true;
  await putLoop;
  const test = await json(`${s.sys.rules.url}/rules/test`, 'POST', { url: '/churn/r5/x' });
  const p50 = median(underChurn);
  const base = median(baseline);
  return {
    pass: loaded && hits === underChurn.length && p50 < x.CHURN_HIT_P50_BOUND_MS && test.ms < x.RULES_TEST_BOUND_MS,
    observed: `${x.CHURN_RULES} rules loaded: ${loaded}; HIT p50 ${base.toFixed(1)} ms idle → ${p50.toFixed(1)} ms under ${puts} PUTs (×${(p50 / base).toFixed(1)}), ${hits}/${underChurn.length} HITs; POST /rules/test ${test.status} in ${test.ms.toFixed(0)} ms`,
  };
}
