/**
 * The `cairn` command end to end: one real nats-server, the real rules and invalidation
 * services and a real gateway in-process (plus a second rules service with access control
 * on), and the CLI run as a child process through its bin, from source. The rules specs run
 * in order (the export is compared with what the store holds); the others touch nothing shared.
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger, hashPassword, parsePasswordHash, parseUsers, subjects, verifyPassword } from '@cairn/shared';
import { eventually, freePort, startNatsServer, startOrigin, tempDir, type NatsServer, type Origin, type TempDir } from '@cairn/testing';
import { loadGatewayConfig, startGateway, type Gateway } from '@cairn/gateway';
import { loadInvalidationConfig, startInvalidationService, type InvalidationService } from '@cairn/invalidation';
import { loadRulesConfig, startRulesService, type RulesService } from '@cairn/rules';
import { connect, type NatsConnection } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCairn } from './cli-harness.js';

const silent = (service: string) => createLogger(service, 'silent');
const GATEWAY_ID = 'cli-gateway';

let nats: NatsServer;
let nc: NatsConnection;
let dir: TempDir;
let origin: Origin;
let rules: RulesService;
let securedRules: RulesService;
let invalidation: InvalidationService;
let gateway: Gateway;
let env: Record<string, string>;

const cairn = (args: string[], extraEnv: Record<string, string> = {}, input?: string) => runCairn(args, { ...env, ...extraEnv }, input);

const put = (id: string, rule: object) =>
  fetch(`${rules.url}/rules/${id}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(rule) });

function writeJson(name: string, value: unknown): string {
  const path = join(dir.path, name);
  writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value));
  return path;
}

beforeAll(async () => {
  dir = await tempDir('cairn-cli-');
  nats = await startNatsServer();
  nc = await connect({ servers: nats.url });
  origin = await startOrigin();
  const base = { NATS_URL: nats.url, AUTH_REQUIRED: 'false', HOST: '127.0.0.1', PORT: '0' };
  rules = await startRulesService(loadRulesConfig(base), silent('rules'));
  invalidation = await startInvalidationService(loadInvalidationConfig(base), silent('invalidation'));
  const usersFile = writeJson('users.json', { users: [{ username: 'ops', passwordHash: await hashPassword('ops-pass', { N: 1024, r: 8, p: 1 }), roles: ['cache_admin'] }] });
  securedRules = await startRulesService(loadRulesConfig({ ...base, AUTH_REQUIRED: 'true', USERS_FILE: usersFile }), silent('rules'));
  writeJson('cacheConfiguration.test.json', { defaultOrigin: origin.url, defaultCacheKey: {} });
  gateway = await startGateway(
    loadGatewayConfig({ ...base, ADMIN_PORT: '0', ENVIRONMENT: 'test', CONFIG_DIR: dir.path, DATA_DIR: join(dir.path, 'data'), GATEWAY_ID, WORKERS: '1' }),
    silent('gateway'),
  );
  expect((await put('cached', { pathPatterns: ['^/cached/.*$'], ttl: '5m' })).status).toBe(204);
  await eventually(async () => {
    const ready = (await (await fetch(`${gateway.adminUrl}/ready`)).json()) as { ready: boolean; rules: { count: number } };
    expect(ready).toMatchObject({ ready: true, rules: { count: 1 } });
  });
  env = { CAIRN_RULES_URL: rules.url, CAIRN_INVALIDATION_URL: invalidation.url, NATS_URL: nats.url };
});

afterAll(async () => {
  await gateway?.close();
  await securedRules?.close();
  await invalidation?.close();
  await rules?.close();
  await nc?.close();
  await origin?.close();
  await nats?.stop();
  await dir?.remove();
});

describe('cairn rules', () => {
  it('applies the rules of a file, then lists and gets them as the service stores them', async () => {
    const file = writeJson('rules.json', [
      { id: 'products', pathPatterns: ['^/products/.*$'], ttl: '1h', description: 'products' },
      { id: 'search', pathPatterns: ['^/search$'], ttl: 'no_cache' },
    ]);
    const applied = await cairn(['rules', 'apply', '-f', file, '--json']);
    expect(applied.code).toBe(0);
    expect(applied.json<{ applied: { id: string }[] }>().applied.map((a) => a.id)).toEqual(['products', 'search']);

    const listed = await cairn(['rules', 'ls', '--json']);
    expect(listed.code).toBe(0);
    expect(listed.json<{ id: string }[]>().map((r) => r.id)).toEqual(expect.arrayContaining(['products', 'search']));

    const got = await cairn(['rules', 'get', 'products', '--json']);
    expect(got.code).toBe(0);
    expect(got.json()).toEqual({ id: 'products', pathPatterns: ['^/products/.*$'], ttl: '1h', description: 'products' });
  });

  it('explains which rule a URL matches, with its cache key', async () => {
    expect((await put('explained', { pathPatterns: ['^/explained/.*$'], ttl: '10m' })).status).toBe(204);
    const tested = await cairn(['rules', 'test', '/explained/1?b=2', '--json']);
    expect(tested.code).toBe(0);
    // No gateway configuration for this rules service: the key is the path alone.
    expect(tested.json()).toMatchObject({ normalizedPath: '/explained/1', cacheKey: 'page:/explained/1', cacheKeyFrom: 'path-only', match: { ruleId: 'explained', ttl: '10m', ttlSeconds: 600 } });
  });

  it('deletes a rule, after which getting it fails with exit 1 and the 404 on one line', async () => {
    expect((await put('doomed', { pathPatterns: ['^/doomed$'], ttl: '1m' })).status).toBe(204);
    expect((await cairn(['rules', 'rm', 'doomed'])).code).toBe(0);
    const missing = await cairn(['rules', 'get', 'doomed']);
    expect(missing.code).toBe(1);
    expect(missing.stderrLines).toHaveLength(1);
    expect(missing.stderr).toMatch(/^cairn: rules service: GET \/rules\/doomed: 404 .*CAIRN_NOT_FOUND/);
  });

  it('reports a refused rule with exit 1 naming the field the service names', async () => {
    const file = writeJson('bad-rule.json', { id: 'bad', pathPatterns: ['^/bad$'], ttl: '5q' });
    const refused = await cairn(['rules', 'apply', '-f', file]);
    expect(refused.code).toBe(1);
    expect(refused.stderrLines).toHaveLength(1);
    expect(refused.stderr).toContain('400');
    expect(refused.stderr).toContain('ttl');
  });

  it('imports its own export: a deleted rule comes back, the others are unchanged', async () => {
    expect((await put('round-trip', { pathPatterns: ['^/round-trip$'], ttl: '2m' })).status).toBe(204);
    const exported = await cairn(['rules', 'export', '--json']);
    expect(exported.code).toBe(0);
    const file = writeJson('export.json', exported.stdout);
    expect((await fetch(`${rules.url}/rules/round-trip`, { method: 'DELETE' })).status).toBe(204);

    const imported = await cairn(['rules', 'import', '-f', file, '--json']);
    expect(imported.stderr).toBe('');
    expect(imported.code).toBe(0);
    const result = imported.json<{ results: { id: string; status: string }[] }>();
    expect(result.results.find((r) => r.id === 'round-trip')?.status).toBe('created');
    expect(result.results.filter((r) => r.id !== 'round-trip').every((r) => r.status === 'unchanged')).toBe(true);
  });
});

describe('cairn purge', () => {
  it('publishes the invalidation event and reports the gateway that applied it', async () => {
    const seen: unknown[] = [];
    const subscription = nc.subscribe(subjects.allInvalidations, { callback: (_err, msg) => seen.push(msg.json()) });
    const purged = await cairn(['purge', 'cacheTag', 'product-42', '--soft', '--json']);
    expect(purged.code).toBe(0);
    expect(purged.json()).toMatchObject({ acknowledgedBy: [GATEWAY_ID], pending: [] });
    await eventually(() => expect(seen).toContainEqual(expect.objectContaining({ kind: 'tag', key: 'product-42', mode: 'soft', source: 'rest' })));
    subscription.unsubscribe();
  });
});

describe.concurrent('cairn pub', () => {
  it('publishes a payload with its headers as a plain NATS message', async () => {
    const subscription = nc.subscribe('cli.test.pub', { max: 1 });
    const published = await cairn(['pub', 'cli.test.pub', '{"hello":"world"}', '-H', 'X-Trace: abc 123', '-H', 'X-Other:2']);
    expect(published.code).toBe(0);
    expect(published.stdout).toBe('published 17 bytes on cli.test.pub with 2 headers\n');
    for await (const msg of subscription) {
      expect(msg.string()).toBe('{"hello":"world"}');
      expect(msg.headers?.get('X-Trace')).toBe('abc 123');
      expect(msg.headers?.get('X-Other')).toBe('2');
    }
  });

  it('reads the payload from stdin for "-"', async () => {
    const subscription = nc.subscribe('cli.test.stdin', { max: 1 });
    const published = await cairn(['pub', 'cli.test.stdin', '-'], {}, 'from stdin\n');
    expect(published.code).toBe(0);
    for await (const msg of subscription) expect(msg.string()).toBe('from stdin\n');
  });
});

describe("cairn pub against a running launcher's NATS", () => {
  let secured: NatsServer;
  let launcherTmp: TempDir;

  beforeAll(async () => {
    launcherTmp = await tempDir('cairn-cli-launcher-');
    const config = join(launcherTmp.path, 'nats.conf');
    writeFileSync(config, 'authorization { users = [ { user: "operator", password: "per-run-pass" } ] }\n');
    secured = await startNatsServer({ configFile: config });
    // Where `npm start` leaves its session (os.tmpdir() follows TMPDIR), closed to others as it writes it.
    mkdirSync(join(launcherTmp.path, 'cairn-dev'), { mode: 0o700 });
    writeFileSync(join(launcherTmp.path, 'cairn-dev', 'nats-operator.json'), JSON.stringify({ url: secured.url, user: 'operator', pass: 'per-run-pass' }), { mode: 0o600 });
  });
  afterAll(async () => {
    await secured?.stop();
    await launcherTmp?.remove();
  });

  it("publishes as the launcher's operator user, on its NATS, when no NATS settings are given", async () => {
    const operator = await connect({ servers: secured.url, user: 'operator', pass: 'per-run-pass' });
    try {
      const subscription = operator.subscribe('cli.test.launcher', { max: 1 });
      await operator.flush();
      const published = await runCairn(['pub', 'cli.test.launcher', 'hi'], { TMPDIR: launcherTmp.path });
      expect(published.stderr).toBe('');
      expect(published.code).toBe(0);
      for await (const msg of subscription) expect(msg.string()).toBe('hi');
    } finally {
      await operator.close();
    }
  });

  it('ignores a session file others may read or write, saying so in one line', async () => {
    const open = await tempDir('cairn-cli-open-session-');
    try {
      mkdirSync(join(open.path, 'cairn-dev'), { mode: 0o777 });
      chmodSync(join(open.path, 'cairn-dev'), 0o777);
      writeFileSync(join(open.path, 'cairn-dev', 'nats-operator.json'), JSON.stringify({ url: secured.url, user: 'operator', pass: 'per-run-pass' }), { mode: 0o666 });
      // Not trusted, so the default NATS is asked, anonymously: nothing listens on this one.
      const published = await runCairn(['pub', 'cli.test.launcher', 'hi'], { TMPDIR: open.path, NATS_URL: `nats://127.0.0.1:${await freePort()}` });
      expect(published.code).toBe(3);
      expect(published.stderrLines[0]).toMatch(/^cairn: ignoring the npm start session: .*nats-operator\.json: not used: /);
    } finally {
      await open.remove();
    }
  });

  it('leaves the launcher session alone when NATS_USER is set', async () => {
    const published = await runCairn(['pub', 'cli.test.launcher', 'hi'], { TMPDIR: launcherTmp.path, NATS_URL: secured.url, NATS_USER: 'someone', NATS_PASS: 'wrong' });
    expect(published.code).toBe(1);
    expect(published.stderrLines).toEqual([expect.stringContaining('refused user "someone"')]);
  });
});

describe('cairn status', () => {
  it('lists the live gateway with its applied sequence, lag, feed mode and hit ratio, and what its admin port says', async () => {
    for (let i = 0; i < 2; i++) await (await fetch(`${gateway.url}/cached/status`)).arrayBuffer();
    const purged = await fetch(`${invalidation.url}/cache/invalidate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ type: 'url', url: '/cached/other' }) });
    const { sequence } = (await purged.json()) as { sequence: number };
    type Report = { newestInvalidationSeq: number; gateways: { gatewayId: string; appliedSeq: number; lag: number; mode: string }[]; admin: { ready: boolean; hitRatio: number }[] };
    // The gateway's next heartbeat (every second) carries the sequence it has just applied.
    const report = await eventually(
      async () => {
        const shown = await cairn(['status', '--gateway-admin', gateway.adminUrl, '--json']);
        expect(shown.code).toBe(0);
        const parsed = shown.json<Report>();
        expect(parsed.gateways.find((g) => g.gatewayId === GATEWAY_ID)?.appliedSeq).toBe(sequence);
        return parsed;
      },
      { timeoutMs: 15_000 },
    );
    expect(report.newestInvalidationSeq).toBe(sequence);
    // Its heartbeat carries its answers: the first request missed, the second hit.
    expect(report.gateways).toEqual([{ gatewayId: GATEWAY_ID, appliedSeq: sequence, lag: 0, mode: 'normal', sentAt: expect.any(String), lookups: { hit: 1, stale: 0, miss: 1 }, hitRatio: 0.5 }]);
    expect(report.admin).toEqual([expect.objectContaining({ ready: true, hits: 1, misses: 1, hitRatio: 0.5 })]);
  });
});

describe.concurrent('cairn config check', () => {
  it('prints ok and exits 0 for a valid configuration', async () => {
    const checked = await cairn(['config', 'check'], { CONFIG_DIR: dir.path, ENVIRONMENT: 'test', AUTH_REQUIRED: 'false' });
    expect(checked.stderr).toBe('');
    expect(checked.code).toBe(0);
    expect(checked.stdout).toMatch(/^ok: /);
  });

  it('prints one line per problem and exits 1 for an invalid configuration', async () => {
    writeJson('cacheConfiguration.broken.json', { defaultOrigin: 'foo', defaultCacheKey: {}, colour: 'blue' });
    const checked = await cairn(['config', 'check', '--config-dir', dir.path, '--environment', 'broken'], { AUTH_REQUIRED: 'false', REQUEST_TIMEOUT_MS: 'soon' });
    expect(checked.code).toBe(1);
    expect(checked.stderrLines).toHaveLength(3);
    expect(checked.stderrLines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^cairn: environment: REQUEST_TIMEOUT_MS: .*"soon"/),
        expect.stringMatching(/^cairn: cacheConfiguration\.broken\.json: defaultOrigin: expected an absolute http\(s\) URL/),
        'cairn: cacheConfiguration.broken.json: colour: unknown field',
      ]),
    );
  });

  it('refuses NATS and log level settings the gateway would refuse at startup', async () => {
    const checked = await cairn(['config', 'check'], {
      CONFIG_DIR: dir.path,
      ENVIRONMENT: 'test',
      AUTH_REQUIRED: 'false',
      NATS_TLS_CERT: join(dir.path, 'client.pem'),
      LOG_LEVEL_FILE: join(dir.path, 'no-such-level-file'),
    });
    expect(checked.code).toBe(1);
    expect(checked.stderrLines).toEqual([expect.stringMatching(/^cairn: environment: NATS_TLS/), expect.stringMatching(/^cairn: environment: LOG_LEVEL_FILE: /)]);
  });
});

describe('cairn user add', () => {
  it('prints a users file entry whose hash verifies the password piped in', async () => {
    const added = await cairn(['user', 'add', 'alice', '--role', 'cache_admin', '--json'], {}, 's3cret-pass\n');
    expect(added.code).toBe(0);
    const entry = added.json<{ username: string; passwordHash: string; roles: string[] }>();
    expect(entry).toMatchObject({ username: 'alice', roles: ['cache_admin'] });
    expect(await verifyPassword('s3cret-pass', parsePasswordHash(entry.passwordHash))).toBe(true);
    expect(parseUsers('users.json', JSON.stringify({ users: [entry] })).get('alice')?.principal.admin).toBe(true);
  });
});

describe.concurrent('cairn exit codes', () => {
  it('exits 2 with one line for bad arguments, sending nothing', async () => {
    const wrong = await cairn(['purge', 'everything']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderrLines).toEqual(['cairn: purge: <type> expected one of api, page, all, group, cacheTag, url, got "everything"']);
  });

  it('exits 3 with one line when the service cannot be reached', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const unreachable = await cairn(['rules', 'ls', '--rules-url', url]);
    expect(unreachable.code).toBe(3);
    expect(unreachable.stderrLines).toEqual([expect.stringMatching(new RegExp(`^cairn: cannot reach the rules service at ${url}: .*ECONNREFUSED`))]);
  });

  it('exits 3 when NATS cannot be reached', async () => {
    const unreachable = await cairn(['pub', 'cli.test.none', 'x'], { NATS_URL: `nats://127.0.0.1:${await freePort()}` });
    expect(unreachable.code).toBe(3);
    expect(unreachable.stderrLines).toEqual([expect.stringMatching(/^cairn: cannot reach NATS at nats:\/\/127\.0\.0\.1:\d+: /)]);
  });

  it('documents the exit codes in its help', async () => {
    const help = await cairn(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Exit codes:\n  0  ok\n  1  the operation failed');
  });
});

describe.concurrent('cairn with access control on', () => {
  it('is refused with exit 1 and the 401 without credentials', async () => {
    const refused = await cairn(['rules', 'ls', '--rules-url', securedRules.url]);
    expect(refused.code).toBe(1);
    expect(refused.stderrLines).toEqual([expect.stringContaining('401')]);
  });

  it('sends CAIRN_USER and CAIRN_PASSWORD as Basic credentials', async () => {
    const allowed = await cairn(['rules', 'ls', '--json'], { CAIRN_RULES_URL: securedRules.url, CAIRN_USER: 'ops', CAIRN_PASSWORD: 'ops-pass' });
    expect(allowed.stderr).toBe('');
    expect(allowed.code).toBe(0);
    expect(allowed.json<{ id: string }[]>().map((r) => r.id)).toContain('cached');
  });
});
