/**
 * `npm run test:compose`: the compose file, for real, on this machine (README, Compose).
 * Builds the images, `up -d`, waits for health, then checks through the published ports on
 * 127.0.0.1 only: MISS → HIT on both gateways, a rule change over REST reaching both, a plain
 * `nats pub cache.invalidate` from the nats-box container invalidating on both, the same
 * with one of the three JetStream nodes killed, a restarted gateway keeping its entries (HIT
 * with the origin stopped), and `down -v` leaving no container, network or volume behind.
 * Exits non-zero on the first failed check, or when it cannot run at all; it never reports a
 * pass it did not see.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePorts } from '@cairn/testing';
import { dockerEngine, type DockerEngine } from './docker-engine.js';
import { must, run } from './shell.js';
import { provideImages } from './stand-in-images.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const PROJECT = 'cairn-compose-test';
const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(0)} s`;
const log = (line: string) => process.stdout.write(`[compose ${elapsed()}] ${line}\n`);
const admin = `Basic ${Buffer.from('admin:admin').toString('base64')}`;
const viewer = `Basic ${Buffer.from('viewer:viewer').toString('base64')}`;


const PORT_NAMES = ['CAIRN_GATEWAY_1_PORT', 'CAIRN_GATEWAY_1_ADMIN_PORT', 'CAIRN_GATEWAY_2_PORT', 'CAIRN_GATEWAY_2_ADMIN_PORT', 'CAIRN_RULES_PORT', 'CAIRN_INVALIDATION_PORT', 'CAIRN_ORIGIN_PORT', 'CAIRN_NATS_PORT'] as const;
const ports = Object.fromEntries((await freePorts(PORT_NAMES.length)).map((port, i) => [PORT_NAMES[i], port])) as Record<(typeof PORT_NAMES)[number], number>;
const composeEnv = { ...process.env, CAIRN_BIND: '127.0.0.1', ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])) };
const gateways = [
  { name: 'gateway-1', port: ports.CAIRN_GATEWAY_1_PORT, adminPort: ports.CAIRN_GATEWAY_1_ADMIN_PORT },
  { name: 'gateway-2', port: ports.CAIRN_GATEWAY_2_PORT, adminPort: ports.CAIRN_GATEWAY_2_ADMIN_PORT },
];

/** The rule revision each of a gateway's workers has applied (its /ready; one entry for a single process). */
async function ruleRevisions(adminPort: number): Promise<number[]> {
  type Ready = { rules?: { revision?: number }; workers?: Array<{ rules?: { revision?: number } }> };
  const ready = (await (await fetch(`http://127.0.0.1:${adminPort}/ready`, { signal: AbortSignal.timeout(5000) })).json()) as Ready;
  return (ready.workers ?? [ready]).map((worker) => worker.rules?.revision ?? 0);
}

let engine: DockerEngine | undefined;

function compose(args: string[], options: { timeoutMs?: number; echo?: boolean } = {}): Promise<string> {
  if (engine === undefined) throw new Error('no Docker engine yet');
  const files = ['-f', 'docker-compose.yml', '-f', 'test/compose/build-on-host-network.yml'];
  return must(engine.compose.command, [...engine.compose.prefix, '-p', PROJECT, ...files, ...args], { cwd: root, env: composeEnv, ...options });
}

interface Answer {
  status: number;
  cache: string | null;
  body: string;
}

async function get(port: number, path: string, extra: Record<string, string> = {}): Promise<Answer> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { headers: { authorization: viewer, ...extra }, signal: AbortSignal.timeout(10_000) });
  return { status: res.status, cache: res.headers.get('x-cairn-cache'), body: await res.text() };
}

async function rest(port: number, method: string, path: string, body: unknown): Promise<{ status: number; text: string }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    method,
    headers: { authorization: admin, 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  return { status: res.status, text: await res.text() };
}

/** Polls until `check` returns a value (not undefined) or the deadline passes; the last error explains a timeout. */
async function eventually<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no attempt finished';
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
      last = 'condition not met yet';
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    await sleep(250);
  }
  throw new Error(`${what}: not within ${timeoutMs / 1000} s (last: ${last})`);
}

function expect(condition: boolean, message: string): void {
  if (!condition) throw new Error(message);
}

/**
 * MISS then HIT with the same body on the first gateway (the path must be new to all of them);
 * on the other, the first answer is a HIT from the first one's replicated fill, or a MISS if
 * it asked before the fill reached it, then a HIT with the same body.
 * `duringFailover`: a NATS node is down, and one worker's feed may lag its sibling's while its
 * consumer is replaced. An entry the lagging worker fills predates an invalidation the other
 * has applied, so the other answers MISS for it (never the invalidated answer) until the
 * lagging one has caught up: the HIT is waited for, within a bound, instead of expected at once.
 */
async function missThenHit(path: string, { duringFailover = false } = {}): Promise<void> {
  for (const gateway of gateways) {
    const first = await get(gateway.port, path);
    const expected = gateway === gateways[0] ? ['MISS'] : ['MISS', 'HIT'];
    expect(first.status === 200 && expected.includes(first.cache ?? ''), `${gateway.name} ${path}: expected 200 ${expected.join(' or ')}, got ${first.status} ${first.cache}`);
    if (duringFailover) {
      await eventually(`HIT for ${path} on ${gateway.name}`, 30_000, async () => ((await get(gateway.port, path)).cache === 'HIT' ? true : undefined));
      continue;
    }
    const second = await get(gateway.port, path);
    expect(second.status === 200 && second.cache === 'HIT', `${gateway.name} ${path}: expected 200 HIT, got ${second.status} ${second.cache}`);
    expect(second.body === first.body, `${gateway.name} ${path}: the HIT's body differs from the MISS's`);
  }
}

/**
 * Waits until no gateway holds `path` (asked with only-if-cached, so nothing refills it and
 * no refill is replicated to the other): an invalidation applied. Then each holds it again.
 */
async function invalidatedOnBoth(path: string, what: string): Promise<void> {
  for (const gateway of gateways) {
    await eventually(`${what} on ${gateway.name}`, 30_000, async () => ((await get(gateway.port, path, { 'cache-control': 'only-if-cached' })).status === 504 ? true : undefined));
  }
  for (const gateway of gateways) {
    // Within a bound, not at once: while a NATS node is down the workers' feeds may lag each
    // other (missThenHit's duringFailover).
    await eventually(`HIT after the refill on ${gateway.name}`, 30_000, async () => ((await get(gateway.port, path)).cache === 'HIT' ? true : undefined));
  }
}

/** A rule written over REST (retried while a JetStream leader is being elected), then seen by both gateways. */
async function putRuleReachingBoth(id: string, pattern: string, probe: string): Promise<void> {
  const revisionsBefore = new Map<string, number>();
  for (const gateway of gateways) {
    const before = await get(gateway.port, probe);
    expect(before.cache === 'PASS', `${gateway.name} ${probe}: expected PASS before rule ${id}, got ${before.cache}`);
    revisionsBefore.set(gateway.name, Math.max(...(await ruleRevisions(gateway.adminPort))));
  }
  await eventually(`PUT /rules/${id}`, 60_000, async () => {
    const res = await rest(ports.CAIRN_RULES_PORT, 'PUT', `/rules/${id}`, { description: 'compose test', pathPatterns: [pattern], ttl: '10m' });
    if (res.status === 204) return true;
    if (res.status >= 500) throw new Error(`${res.status} ${res.text}`);
    throw new Error(`PUT /rules/${id} answered ${res.status}: ${res.text}`);
  });
  for (const gateway of gateways) {
    // Every worker of the gateway has the rule (each follows the rules stream itself), then traffic shows it.
    const before = revisionsBefore.get(gateway.name) ?? 0;
    await eventually(`rule ${id} on every worker of ${gateway.name}`, 30_000, async () => ((await ruleRevisions(gateway.adminPort)).every((revision) => revision > before) ? true : undefined));
    await eventually(`rule ${id} on ${gateway.name}`, 30_000, async () => ((await get(gateway.port, probe)).cache === 'PASS' ? undefined : true));
  }
}

async function containerStates(): Promise<Map<string, { state: string; health: string }>> {
  const ids = (await compose(['ps', '-q'])).split('\n').filter((id) => id !== '');
  const states = new Map<string, { state: string; health: string }>();
  if (ids.length === 0) return states;
  const format = '{{ index .Config.Labels "com.docker.compose.service" }} {{ .State.Status }} {{ if .State.Health }}{{ .State.Health.Status }}{{ else }}none{{ end }}';
  for (const line of (await must('docker', ['inspect', '--format', format, ...ids])).split('\n')) {
    const [service, state, health] = line.trim().split(' ');
    if (service !== undefined && state !== undefined && health !== undefined) states.set(service, { state, health });
  }
  return states;
}

async function waitHealthy(services: readonly string[], timeoutMs: number): Promise<void> {
  await eventually(`health of ${services.join(', ')}`, timeoutMs, async () => {
    const states = await containerStates();
    const waiting = services.filter((service) => {
      const s = states.get(service);
      return s === undefined || s.state !== 'running' || (s.health !== 'healthy' && s.health !== 'none');
    });
    if (waiting.length === 0) return true;
    throw new Error(`waiting for ${waiting.map((s) => `${s} (${JSON.stringify(states.get(s) ?? 'absent')})`).join(', ')}`);
  });
}

async function leftovers(): Promise<string[]> {
  const label = `label=com.docker.compose.project=${PROJECT}`;
  const found: string[] = [];
  for (const [kind, args] of [
    ['container', ['ps', '-a', '-q', '--filter', label]],
    ['network', ['network', 'ls', '-q', '--filter', label]],
    ['volume', ['volume', 'ls', '-q', '--filter', label]],
  ] as const) {
    for (const id of (await must('docker', [...args])).split('\n')) if (id.trim() !== '') found.push(`${kind} ${id.trim()}`);
  }
  return found;
}

const SERVICES = ['nats-1', 'nats-2', 'nats-3', 'rules', 'invalidation', 'origin', 'gateway-1', 'gateway-2', 'nats-box'];
let upDone = false;
let failed = false;

async function step(name: string, body: () => Promise<string | void>): Promise<void> {
  const t = Date.now();
  const detail = await body();
  log(`PASS ${name} (${((Date.now() - t) / 1000).toFixed(1)} s)${detail ? `: ${detail}` : ''}`);
}

try {
  await step('a Docker engine and compose', async () => {
    engine = await dockerEngine(log, { standIns: true });
  });
  await step('images the compose file names', async () => {
    const substituted = await provideImages(log);
    for (const line of substituted) log(`  substituted ${line}`);
    return substituted.length === 0 ? 'all real' : `${substituted.length} local stand-ins (no image registry is reachable from here)`;
  });
  // A crashed earlier run's project, if any, goes first.
  await compose(['down', '-v', '--remove-orphans'], { timeoutMs: 120_000 });
  await step('docker compose build', async () => {
    await compose(['build'], { timeoutMs: 1_200_000 });
  });
  await step('docker compose up -d, every container healthy', async () => {
    upDone = true;
    await compose(['up', '-d'], { timeoutMs: 300_000 });
    await waitHealthy(SERVICES, 180_000);
    return `${SERVICES.length} containers; ports ${JSON.stringify(ports)}`;
  });
  await step('a rule written over REST reaches both gateways', async () => {
    await putRuleReachingBoth('compose-pages', '^/compose/.*$', '/compose/rule-probe');
  });
  await step('MISS then HIT on both gateways', async () => {
    await missThenHit('/compose/a');
  });
  await step('nats pub cache.invalidate from the nats-box container invalidates on both', async () => {
    const out = await compose(['exec', '-T', 'nats-box', 'nats', 'pub', 'cache.invalidate', '{"type":"page"}']);
    await invalidatedOnBoth('/compose/a', 'the nats-box invalidation');
    return out.trim();
  });
  await step('docker compose kill nats-2 (one of three JetStream nodes)', async () => {
    await compose(['kill', 'nats-2']);
    const killedAt = Date.now();
    const state = (await containerStates()).get('nats-2');
    expect(state?.state !== 'running', `nats-2 still running after kill: ${JSON.stringify(state)}`);
    // The two left elect new leaders for what nats-2 led; their /healthz says when that is done.
    for (const node of ['nats-1', 'nats-3']) {
      await eventually(`${node} /healthz after the kill`, 60_000, async () => {
        await compose(['exec', '-T', node, 'wget', '-q', '-O', '/dev/null', 'http://127.0.0.1:8222/healthz']);
        return true;
      });
    }
    return `nats-2 is ${state?.state ?? 'gone'}; nats-1 and nats-3 healthy again ${((Date.now() - killedAt) / 1000).toFixed(1)} s after the kill`;
  });
  await step('with nats-2 down: an invalidation over REST reaches both gateways', async () => {
    await missThenHit('/compose/b', { duringFailover: true });
    // Retried only while no JetStream leader answers (a 5xx): each accepted POST is another invalidation.
    const report = await eventually('POST /cache/invalidate', 60_000, async () => {
      const res = await rest(ports.CAIRN_INVALIDATION_PORT, 'POST', '/cache/invalidate', { type: 'url', url: '/compose/b' });
      if (res.status >= 500) throw new Error(`${res.status} ${res.text}`);
      expect(res.status === 200, `POST /cache/invalidate answered ${res.status}: ${res.text}`);
      return JSON.parse(res.text) as { acknowledgedBy?: string[]; pending?: string[] };
    });
    await invalidatedOnBoth('/compose/b', 'the REST invalidation');
    return `the answer: acknowledged by ${JSON.stringify(report.acknowledgedBy)}, pending ${JSON.stringify(report.pending)}`;
  });
  await step('with nats-2 down: nats pub from the nats-box container invalidates on both', async () => {
    await compose(['exec', '-T', 'nats-box', 'nats', 'pub', 'cache.invalidate', '{"type":"page"}']);
    await invalidatedOnBoth('/compose/b', 'the nats-box invalidation');
  });
  await step('with nats-2 down: a rule change over REST reaches both gateways', async () => {
    await putRuleReachingBoth('compose-more', '^/compose-more/.*$', '/compose-more/rule-probe');
    await missThenHit('/compose-more/c', { duringFailover: true });
    const state = (await containerStates()).get('nats-2');
    expect(state?.state !== 'running', `nats-2 came back during the checks: ${JSON.stringify(state)}`);
  });
  await step('docker compose restart gateway-1 keeps its stored entries', async () => {
    const port = ports.CAIRN_GATEWAY_1_PORT;
    const stored = await get(port, '/compose/kept');
    expect(stored.cache === 'MISS', `gateway-1 /compose/kept: expected MISS, got ${stored.cache}`);
    // nats-2 is still down: as in missThenHit's duringFailover, the HIT may wait for a lagging worker's feed.
    await eventually('gateway-1 /compose/kept: HIT before the restart', 30_000, async () => ((await get(port, '/compose/kept')).cache === 'HIT' ? true : undefined));
    await compose(['stop', 'origin']);
    await compose(['restart', 'gateway-1'], { timeoutMs: 120_000 });
    await waitHealthy(['gateway-1'], 90_000);
    const after = await get(port, '/compose/kept');
    expect(after.status === 200 && after.cache === 'HIT', `gateway-1 /compose/kept after restart, origin stopped: expected 200 HIT, got ${after.status} ${after.cache}`);
    expect(after.body === stored.body, 'gateway-1 /compose/kept after restart: the body differs from the stored one');
    const unknown = await get(port, '/compose/never-stored');
    expect(unknown.status >= 500, `with the origin stopped a miss must fail, got ${unknown.status} ${unknown.cache}`);
    return `HIT with the origin stopped; a miss answers ${unknown.status}`;
  });
} catch (err) {
  failed = true;
  log(`FAIL ${err instanceof Error ? err.message : String(err)}`);
  if (upDone && engine !== undefined) {
    const ps = await run(engine.compose.command, [...engine.compose.prefix, '-p', PROJECT, 'ps'], { cwd: root, env: composeEnv });
    process.stdout.write(ps.stdout);
    const logs = await run(engine.compose.command, [...engine.compose.prefix, '-p', PROJECT, 'logs', '--no-color', '--timestamps'], { cwd: root, env: composeEnv });
    const logFile = join(mkdtempSync(join(tmpdir(), 'cairn-compose-logs-')), 'compose.log');
    writeFileSync(logFile, logs.stdout);
    process.stdout.write(`${logs.stdout.split('\n').slice(-60).join('\n')}\n(every container's whole log: ${logFile})\n`);
  }
} finally {
  if (engine !== undefined) {
    try {
      await step('docker compose down -v leaves no container, network or volume', async () => {
        await compose(['down', '-v', '--remove-orphans'], { timeoutMs: 180_000 });
        const left = await leftovers();
        expect(left.length === 0, `left behind: ${left.join(', ')}`);
      });
    } catch (err) {
      failed = true;
      log(`FAIL ${err instanceof Error ? err.message : String(err)}`);
    }
    await engine.release();
  }
}
log(failed ? 'compose test FAILED' : `compose test passed in ${elapsed()}`);
process.exit(failed ? 1 : 0);
