/**
 * Sections 4 and 5 of `npm run bench:rules` (issue 9 #8, #9): the worst rule set the schema
 * accepts against the longest path rules look at, and rule churn at 100,000 rules on a real
 * rules service and gateway. Loopback only; every loop is bounded.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { startGateway } from '@cairn/gateway';
import { loadRulesConfig, startRulesService } from '@cairn/rules';
import { createLogger, encodeMessage, headers as cairnHeaders, MAX_RULE_PATH_LENGTH, RuleIndex, ruleSchema, subjects, type Rule } from '@cairn/shared';
import { seededRandom, startNatsServer, startOrigin, tempDir } from '@cairn/testing';
import { connect, headers as natsHeaders } from 'nats';
import { benchGatewayConfig } from './bench-gateway.js';

type Report = (line: string) => void;
const plain = { headers: {}, query: '' };
const letters = 'acdefghijklmnopqrstu';

/** Accepted rule sets meant to keep many automaton threads alive on every character. */
const WORST: Record<string, string[]> = {
  '4 × `x.{0,99}b`, unanchored': Array.from({ length: 4 }, (_, i) => `${letters[i] as string}.{0,99}b`),
  '1 × five `.{0,99}` gaps': ['a.{0,99}c.{0,99}d.{0,99}e.{0,99}f.{0,99}b'],
  '20 × `x[^b]{0,21}b`': Array.from({ length: 20 }, (_, i) => `${letters[i] as string}[^b]{0,21}b`),
  '40 × `x.{0,10}b`': Array.from({ length: 40 }, (_, i) => `${letters[i % 20] as string}${i}.{0,10}b`),
  '2 × `(a|c)*a(a|c){99}b`': ['(a|c)*a(a|c){99}b', '(c|d)*c(c|d){99}b'],
};

const cpuMs = (fn: () => void): number => {
  const started = process.cpuUsage();
  fn();
  const used = process.cpuUsage(started);
  return (used.user + used.system) / 1000;
};

export async function benchWorstAcceptedRules(report: Report): Promise<void> {
  const random = seededRandom(8);
  const paths = Array.from({ length: 20 }, () => `/${Array.from({ length: MAX_RULE_PATH_LENGTH - 1 }, () => random.pick([...'acdefghij'])).join('')}`);
  paths.push(`/${'a'.repeat(MAX_RULE_PATH_LENGTH - 1)}`);
  report('');
  report(`## Worst accepted rule sets on ${MAX_RULE_PATH_LENGTH}-character paths (CPU ms per match over ${paths.length} paths; issue 9 #8)`);
  report('| rule | accepted | mean | max |');
  report('|---|---|---:|---:|');
  for (const [name, pathPatterns] of Object.entries(WORST)) {
    const parsed = ruleSchema.safeParse({ id: 'worst', description: '', pathPatterns, ttl: '1h' });
    if (!parsed.success) {
      report(`| ${name} | no: ${parsed.error.issues[0]?.message ?? ''} | | |`);
      continue;
    }
    const index = new RuleIndex([parsed.data]);
    const samples = paths.map((path) => cpuMs(() => index.match(path, plain)));
    report(`| ${name} | yes | ${(samples.reduce((a, b) => a + b, 0) / samples.length).toFixed(1)} | ${Math.max(...samples).toFixed(1)} |`);
  }
  report(`| 20 × \`a.{0,990}b\` (issue 9's example) | ${ruleSchema.safeParse({ id: 'x', pathPatterns: Array.from({ length: 20 }, () => 'a.{0,990}b'), ttl: '1h' }).success ? 'yes' : 'no'} | | |`);
  await eventLoopBlockThroughGateway(report, WORST['4 × `x.{0,99}b`, unanchored'] as string[], paths);
}

/** The longest event-loop block while a gateway answers each path once (one at a time). */
async function eventLoopBlockThroughGateway(report: Report, pathPatterns: string[], paths: string[]): Promise<void> {
  const nats = await startNatsServer();
  const origin = await startOrigin();
  const dir = await tempDir('cairn-bench-bounds-');
  const gateway = await startGateway(benchGatewayConfig(nats.url, origin.url, dir.path)('data'), createLogger('bench', 'silent'));
  const nc = await connect({ servers: nats.url });
  await nc.jetstream().publish(subjects.rule('worst'), encodeMessage({ op: 'upsert', rule: { id: 'worst', description: '', pathPatterns, ttl: '1h' } }));
  // Bounded: the gateway applies the rule well within 200 polls.
  for (let i = 0; i < 200 && ((await (await fetch(`${gateway.adminUrl}/ready`)).json()) as { rules: { count: number } }).rules.count === 0; i++);
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  for (const path of paths) await (await fetch(`${gateway.url}${path}`)).arrayBuffer();
  histogram.disable();
  report(`through a gateway (rule: ${pathPatterns.length} × \`x.{0,99}b\`): longest event-loop block ${(histogram.max / 1e6).toFixed(1)} ms, p50 ${(histogram.percentile(50) / 1e6).toFixed(1)} ms over ${paths.length} requests`);
  await nc.close();
  await gateway.close();
  await origin.close();
  await nats.stop();
  await dir.remove();
}

const quantile = (values: number[], q: number): number => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(q * values.length))] as number;

export async function benchChurnAtScale(report: Report, rules: Rule[]): Promise<void> {
  const nats = await startNatsServer();
  const origin = await startOrigin();
  const dir = await tempDir('cairn-bench-churn-');
  const logger = createLogger('bench', 'silent');
  const nc = await connect({ servers: nats.url });
  const rulesService = await startRulesService(loadRulesConfig({ NATS_URL: nats.url, AUTH_REQUIRED: 'false', HOST: '127.0.0.1', PORT: '0' }), logger);
  const js = nc.jetstream();
  for (let i = 0; i < rules.length; i += 500) {
    await Promise.all(
      rules.slice(i, i + 500).map((rule) => {
        const h = natsHeaders();
        h.set(cairnHeaders.natsOp, 'upsert');
        return js.publish(subjects.rule(rule.id), encodeMessage({ op: 'upsert', rule }), { headers: h });
      }),
    );
  }
  const gateway = await startGateway(benchGatewayConfig(nats.url, origin.url, dir.path)('data'), logger);
  const post = async (url: string) => {
    const started = performance.now();
    const response = await fetch(`${rulesService.url}/rules/test`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url }) });
    await response.arrayBuffer();
    return performance.now() - started;
  };
  await post('/section-5/items/3');
  const tests: number[] = [];
  for (let i = 0; i < 20; i++) tests.push(await post(`/section-${i * 97}/items/${i}`));
  report('');
  report(`## At ${rules.length.toLocaleString('en')} rules (issue 9 #9)`);
  report(`POST /rules/test: p50 ${quantile(tests, 0.5).toFixed(1)} ms, max ${quantile(tests, 1).toFixed(1)} ms (20 calls)`);

  const hitPath = '/section-1/items/1';
  await (await fetch(`${gateway.url}${hitPath}`)).arrayBuffer();
  let putting = true;
  let puts = 0;
  const putLoop = (async () => {
    // Bounded by the HIT loop below, which ends it.
    for (let n = 0; putting; n++) {
      await fetch(`${rulesService.url}/rules/churn`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ description: `v${n}`, pathPatterns: [`^/churn-${n % 7}/.*$`], ttl: '1m' }) });
      puts++;
    }
  })();
  const hits: number[] = [];
  for (let i = 0; i < 300; i++) {
    const started = performance.now();
    const response = await fetch(`${gateway.url}${hitPath}`);
    await response.arrayBuffer();
    if (response.headers.get(cairnHeaders.cache) === 'HIT') hits.push(performance.now() - started);
  }
  putting = false;
  await putLoop;
  report(`HIT under a PUT loop: p50 ${quantile(hits, 0.5).toFixed(2)} ms, p99 ${quantile(hits, 0.99).toFixed(2)} ms (${hits.length} hits, ${puts} PUTs meanwhile)`);
  await gateway.close();
  await rulesService.close();
  await nc.close();
  await origin.close();
  await nats.stop();
  await dir.remove();
}
