/**
 * `npm run bench:rules`: the rule engine's cost (README, Rules, issue 3).
 *
 * 1. Matching with 10, 1,000 and 10,000 rules: cold (every path new, so the memo misses)
 *    and memoized (a working set of paths seen before), in ns/op, against two baselines
 *    run in the same process: a plain scan of the same automata in rank order (what the
 *    index narrows), and a scan of V8 RegExps (the skeleton's engine, which backtracks).
 * 2. One rule change at 10,000 and 100,000 rules (issue 9 #9): applied in place
 *    (`upsert`, then the first match), against rebuilding the index with compiled patterns
 *    reused (what a gateway did per change before), in the same run.
 * 3. Propagation: `PUT /rules/:id` on a real rules service → a running gateway answering
 *    with the new rule (seen in its debug headers), p50/p99 over 200 updates.
 * 4. The worst accepted rule set (issue 9 #8) against the longest path rules look at:
 *    CPU ms per match, and the longest event-loop block per request through a gateway.
 * 5. At 100,000 rules: `POST /rules/test` latency, and HIT latency while a PUT loop runs.
 *
 * Loopback only; every loop is bounded.
 */
import { startGateway } from '@cairn/gateway';
import { loadRulesConfig, startRulesService } from '@cairn/rules';
import { createLogger, headers as cairnHeaders, RuleIndex, type MatchRequest, type Rule } from '@cairn/shared';
import { seededRandom, startNatsServer, startOrigin, tempDir } from '@cairn/testing';
import { benchGatewayConfig } from './bench-gateway.js';
import { benchChurnAtScale, benchWorstAcceptedRules } from './rules-bounds.js';

const random = seededRandom(1123);
const plain: MatchRequest = { headers: {}, query: '' };

/** A catalogue-shaped rule set: sections with broad, exact, numeric and conditional rules. */
function ruleSet(count: number): Rule[] {
  const rules: Rule[] = [
    { id: 'catch-all', description: '', pathPatterns: ['^/.*$'], ttl: '5m' },
    { id: 'feeds', description: '', pathPatterns: ['\\.(rss|atom)$'], ttl: '1m' },
  ];
  for (let i = 0; rules.length < count; i++) {
    const kind = i % 10;
    const id = `r${i}`;
    if (kind < 5) rules.push({ id, description: '', pathPatterns: [`^/section-${i}/.*$`], ttl: '1h' });
    else if (kind < 8) rules.push({ id, description: '', pathPatterns: [`^/section-${i - 5}/items?/\\d+$`], ttl: '10m' });
    else if (kind === 8) rules.push({ id, description: '', pathPatterns: [`^/section-${i - 8}/account/.*$`], ttl: 'no_cache' });
    else {
      rules.push({
        id,
        description: '',
        pathPatterns: [`^/section-${i - 9}/m/.*$`],
        ttl: '2m',
        additionalMatchCriteria: [{ additionalMatchType: 'header', additionalMatchOperator: 'equals', additionalMatchKey: 'x-device', additionalMatchValue: 'mobile' }],
      });
    }
  }
  return rules.slice(0, count);
}

function pathFor(sections: number, n: number): string {
  const section = random.int(Math.max(1, sections));
  switch (random.int(5)) {
    case 0:
      return `/section-${section}/items/${n}`;
    case 1:
      return `/section-${section}/m/page-${n}`;
    case 2:
      return `/section-${section}/account/${n}`;
    case 3:
      return `/elsewhere/${n}/news.rss`;
    default:
      return `/section-${section}/article-${n}/comments`;
  }
}

/** ns per call of `fn` over the inputs, best of three rounds (the machine is shared). */
function nsPerOp(inputs: readonly string[], fn: (path: string) => unknown): number {
  let best = Infinity;
  for (let round = 0; round < 3; round++) {
    const started = process.hrtime.bigint();
    for (const input of inputs) fn(input);
    best = Math.min(best, Number(process.hrtime.bigint() - started) / inputs.length);
  }
  return best;
}

function regexpScan(rules: Rule[], index: RuleIndex): (path: string) => string | undefined {
  // Same rank order as the index, so the answers agree.
  const order = index.ranked().map((c) => ({ id: c.ruleId, regex: new RegExp(c.pattern, 'i') }));
  const byId = new Map(rules.map((r) => [r.id, r]));
  return (path) => order.find((c) => c.regex.test(path) && (byId.get(c.id)?.additionalMatchCriteria === undefined))?.id;
}

const fmt = (ns: number) => (ns >= 10_000 ? `${(ns / 1000).toFixed(1)} µs` : `${Math.round(ns)} ns`);
const lines: string[] = [];
const report = (line: string) => {
  lines.push(line);
  console.log(line);
};

// Propagation first, while the heap is clean: the matching runs leave much garbage.
report('## Propagation: PUT /rules/:id → gateway answers with the new rule (200 updates, 1,000 rules loaded)');
{
  const nats = await startNatsServer();
  const origin = await startOrigin();
  const dir = await tempDir('cairn-bench-rules-');
  const logger = createLogger('bench', 'silent');
  const rulesService = await startRulesService(loadRulesConfig({ NATS_URL: nats.url, AUTH_REQUIRED: 'false', HOST: '127.0.0.1', PORT: '0' }), logger);
  const gateway = await startGateway(benchGatewayConfig(nats.url, origin.url, dir.path)('data'), logger);
  const put = async (rule: Rule) => {
    const response = await fetch(`${rulesService.url}/rules/${rule.id}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...rule, id: undefined }),
    });
    if (response.status !== 204) throw new Error(`PUT ${rule.id}: ${response.status} ${await response.text()}`);
  };
  for (const rule of ruleSet(1_000)) await put(rule);
  const appliedRule = async (): Promise<string | null> => {
    const response = await fetch(`${gateway.url}/propagation`, { headers: { [cairnHeaders.debug]: 'true' } });
    await response.arrayBuffer();
    return response.headers.get(cairnHeaders.debugRule);
  };
  const samples: number[] = [];
  const putSamples: number[] = [];
  for (let update = 0; update < 200; update++) {
    const marker = `update-${update}`;
    const started = performance.now();
    await put({ id: 'propagation', description: marker, pathPatterns: ['^/propagation$'], ttl: 'no_cache' });
    putSamples.push(performance.now() - started);
    // Bounded: a gateway that never applies the update fails the benchmark after 5 s.
    while ((await appliedRule()) !== marker) {
      if (performance.now() - started > 5000) throw new Error(`update ${update} not applied within 5 s`);
    }
    samples.push(performance.now() - started);
  }
  const quantiles = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    const at = (q: number) => (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number).toFixed(1);
    return `p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, max ${at(1)} ms`;
  };
  report(`PUT → gateway answers with it: ${quantiles(samples)}`);
  report(`of which the PUT round trip alone: ${quantiles(putSamples)}`);
  await gateway.close();
  await rulesService.close();
  await origin.close();
  await nats.stop();
  await dir.remove();
}

report('');
report('## Matching (ns/op; best of 3 rounds)');
report('| rules | index cold | index memoized | plain scan (same automata) | V8 RegExp scan | cold vs RegExp scan |');
report('|---:|---:|---:|---:|---:|---:|');
for (const count of [10, 1_000, 10_000]) {
  const rules = ruleSet(count);
  const sections = Math.ceil(count / 10);
  const ops = count >= 10_000 ? 20_000 : 100_000;
  const index = new RuleIndex(rules);
  const coldPaths = Array.from({ length: ops * 3 }, (_, n) => pathFor(sections, n));
  // Warm the automata (their DFA states), not the memo: cold paths below are all new.
  for (let n = 0; n < 2000; n++) index.match(pathFor(sections, 1e9 + n), plain);
  let next = 0;
  const cold = nsPerOp(coldPaths.slice(0, ops), () => index.match(coldPaths[next++] as string, plain));
  const working = Array.from({ length: 1000 }, (_, n) => pathFor(sections, n));
  for (const path of working) index.match(path, plain);
  const memoPaths = Array.from({ length: ops }, (_, n) => working[n % working.length] as string);
  const memoized = nsPerOp(memoPaths, (path) => index.match(path, plain));
  const scanOps = coldPaths.slice(0, count >= 10_000 ? 200 : count >= 1_000 ? 2_000 : ops);
  const scan = nsPerOp(scanOps, (path) => index.scan(path, plain));
  const regexp = regexpScan(rules, index);
  const v8 = nsPerOp(scanOps, regexp);
  report(`| ${count.toLocaleString('en')} | ${fmt(cold)} | ${fmt(memoized)} | ${fmt(scan)} | ${fmt(v8)} | ${(cold / v8).toFixed(3)}× |`);
}

report('');
report('## One rule change, then the first match (median; issue 9 #9)');
report('| rules | applied in place | rebuilt, compiled patterns reused | ratio |');
report('|---:|---:|---:|---:|');
for (const count of [10_000, 100_000]) {
  const rules = ruleSet(count);
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
  const inPlace: number[] = [];
  const rebuilt: number[] = [];
  const index = new RuleIndex(rules);
  const compiled = index.patterns;
  let current = rules;
  for (let run = 0; run < 5; run++) {
    const changed = { ...(rules[run * 7] as Rule), ttl: `${run + 2}m` };
    current = current.map((r) => (r.id === changed.id ? changed : r));
    let started = performance.now();
    new RuleIndex(current, compiled).match('/section-1/items/3', plain);
    rebuilt.push(performance.now() - started);
    started = performance.now();
    index.upsert(changed);
    index.match('/section-1/items/3', plain);
    inPlace.push(performance.now() - started);
  }
  report(`| ${count.toLocaleString('en')} | ${median(inPlace).toFixed(3)} ms | ${median(rebuilt).toFixed(1)} ms | ${(median(rebuilt) / median(inPlace)).toFixed(0)}× |`);
}

await benchWorstAcceptedRules(report);
await benchChurnAtScale(report, ruleSet(100_000));
