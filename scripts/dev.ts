/**
 * `npm start`: the dev launcher (README, Two commands). Starts nats-server -js on a temp store,
 * the rules and invalidation services, GATEWAYS gateways (default 1) and a demo origin,
 * each service as operators run it (`node services/<name>/dist/main.js`, configured by
 * environment variables); seeds a rule that caches everything; stops all of it on Ctrl-C.
 * Access control is off unless AUTH_REQUIRED=true is set; a demo users file is written
 * either way (README, Access control), and the launcher prints how to turn it on.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { hashPassword } from '@cairn/shared';
import { NATS_INSTALL_HINT, natsPermissions, natsServerAvailable, startNatsServer, tempDir, type NatsUserName } from '@cairn/testing';
import { startDemoOrigin } from '@cairn/demo-origin';
import { removeDevNatsSession, writeDevNatsSession } from './dev-nats-session.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const ports = { nats: 4222, gateway: 8080, admin: 9080, rules: 8081, invalidation: 8082, origin: 8090 };
const gatewayCount = Number(process.env.GATEWAYS ?? '1');
const logLevel = process.env.LOG_LEVEL ?? 'warn';

// The services turn access control on by default; the launcher is for trying things out.
process.env.AUTH_REQUIRED ??= 'false';
const authOn = process.env.AUTH_REQUIRED === 'true';
const demoUsersFile = join(root, '.cairn', 'users.json');
const demoAdmin = `Basic ${Buffer.from('admin:admin').toString('base64')}`;

if (!natsServerAvailable()) {
  process.stderr.write(`${NATS_INSTALL_HINT}\n`);
  process.exit(1);
}
if (!Number.isInteger(gatewayCount) || gatewayCount < 1 || gatewayCount > 9) {
  process.stderr.write(`GATEWAYS: expected a number from 1 to 9, got ${JSON.stringify(process.env.GATEWAYS)}\n`);
  process.exit(1);
}

const children: ChildProcess[] = [];
const dir = await tempDir('cairn-dev-');
// The shipped least-privilege config (README, NATS permissions), fresh passwords per run.
const natsUsers = natsPermissions();
const nats = await startNatsServer({ port: ports.nats, configFile: natsUsers.configFile, env: natsUsers.env });
const operatorNats = natsUsers.users.operator;
writeDevNatsSession({ url: nats.url, user: operatorNats.NATS_USER, pass: operatorNats.NATS_PASS });
const origin = await startDemoOrigin({ port: ports.origin });
let stopping: Promise<never> | undefined;

/** Stops everything once; a second Ctrl-C (or tsx relaying the first) waits for the same stop. */
function stop(code: number): Promise<never> {
  stopping ??= (async () => {
    process.stdout.write('\nstopping…\n');
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await Promise.all(children.map((child) => (child.exitCode === null && child.signalCode === null ? new Promise((r) => child.once('exit', r)) : undefined)));
    origin.close();
    await nats.stop();
    removeDevNatsSession();
    await dir.remove();
    process.exit(code);
  })();
  return stopping;
}
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

function runService(name: string, env: Record<string, string>): void {
  const service = name.replace(/-\d+$/, '') as NatsUserName;
  const child = spawn(process.execPath, [join(root, 'services', service, 'dist', 'main.js')], {
    env: { ...process.env, NATS_URL: nats.url, HOST: '127.0.0.1', LOG_LEVEL: logLevel, ...natsUsers.users[service], ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  child.once('exit', (code, signal) => {
    if (stopping === undefined) {
      process.stderr.write(`${name} exited (${signal ?? code}); stopping everything\n`);
      void stop(1);
    }
  });
  children.push(child);
}

async function waitReady(name: string, url: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const ok = await fetch(url).then((r) => r.ok, () => false);
    if (ok) return;
    await sleep(100);
  }
  process.stderr.write(`${name} did not become ready at ${url} within 30 s\n`);
  await stop(1);
}

writeFileSync(
  join(dir.path, 'cacheConfiguration.local.json'),
  JSON.stringify(
    {
      cacheTagsHeader: 'x-origin-cache-tags',
      apiPathPrefix: '/api/',
      apiOrigin: `http://127.0.0.1:${ports.origin}`,
      apiCacheKey: { includeHeaders: ['accept'], includeQueryParams: 'ALL', includeCookies: [] },
      defaultOrigin: `http://127.0.0.1:${ports.origin}`,
      defaultCacheKey: { includeHeaders: [], includeQueryParams: 'ALL', includeCookies: [] },
    },
    null,
    2,
  ),
);

// Demo users for AUTH_REQUIRED=true: `admin`/`admin` (cache_admin) and `viewer`/`viewer` (cache_user).
mkdirSync(join(root, '.cairn'), { recursive: true });
writeFileSync(
  demoUsersFile,
  `${JSON.stringify(
    {
      users: [
        { username: 'admin', passwordHash: await hashPassword('admin'), roles: ['cache_admin'] },
        { username: 'viewer', passwordHash: await hashPassword('viewer'), roles: ['cache_user'] },
      ],
    },
    null,
    2,
  )}\n`,
);
if (authOn) process.env.USERS_FILE ??= demoUsersFile;

runService('rules', { PORT: String(ports.rules) });
runService('invalidation', { PORT: String(ports.invalidation) });
await waitReady('rules', `http://127.0.0.1:${ports.rules}/ready`);
await waitReady('invalidation', `http://127.0.0.1:${ports.invalidation}/ready`);

const seeded = await fetch(`http://127.0.0.1:${ports.rules}/rules/demo-everything`, {
  method: 'PUT',
  // Ignored with access control off; the demo admin's otherwise.
  headers: { 'content-type': 'application/json', authorization: demoAdmin },
  body: JSON.stringify({ description: 'demo: cache everything the demo origin serves', pathPatterns: ['^/.*$'], ttl: '5m' }),
});
if (seeded.status !== 204) {
  process.stderr.write(`seeding the demo rule failed: ${seeded.status} ${await seeded.text()}\n`);
  await stop(1);
}

const gateways: string[] = [];
for (let i = 0; i < gatewayCount; i++) {
  const port = i === 0 ? ports.gateway : ports.gateway + 10 + i;
  const admin = ports.admin + i;
  runService(`gateway-${i + 1}`, {
    PORT: String(port),
    ADMIN_PORT: String(admin),
    CONFIG_DIR: dir.path,
    DATA_DIR: join(dir.path, `gateway-${i + 1}`),
    GATEWAY_ID: `dev-gateway-${i + 1}`,
  });
  await waitReady(`gateway ${i + 1}`, `http://127.0.0.1:${admin}/ready`);
  gateways.push(`  gateway ${i + 1}      http://127.0.0.1:${port}   (admin http://127.0.0.1:${admin}/ready, /metrics)`);
}

process.stdout.write(`
Cairn is running.
${gateways.join('\n')}
  rules          http://127.0.0.1:${ports.rules}/rules
  invalidation   http://127.0.0.1:${ports.invalidation}/cache/invalidate
  demo origin    http://127.0.0.1:${ports.origin}/
  NATS           ${nats.url}   (JetStream store in ${nats.storeDir})
                 least-privilege users from config/nats/nats-server.conf, passwords for this run:
${Object.values(natsUsers.users).map((u) => `                   ${u.NATS_USER.padEnd(13)} ${u.NATS_PASS}`).join('\n')}

Try:
  curl -i http://127.0.0.1:${ports.gateway}/          # x-cairn-cache: MISS
  curl -i http://127.0.0.1:${ports.gateway}/          # x-cairn-cache: HIT, same timestamp
  curl -s http://127.0.0.1:${ports.rules}/rules       # the seeded rule
  nats --user ${operatorNats.NATS_USER} --password ${operatorNats.NATS_PASS} pub cache.invalidate '{"type":"page"}'
                                                      # with the nats CLI, or without it (as operator):
  npm run --silent nats:pub -- cache.invalidate '{"type":"page"}'
  curl -i http://127.0.0.1:${ports.gateway}/          # x-cairn-cache: MISS again
  curl -s -X POST http://127.0.0.1:${ports.invalidation}/cache/invalidate -H 'content-type: application/json' -d '{"type":"url","url":"/products/1"}'
                                                      # answers once every live gateway applied it
  curl -s http://127.0.0.1:${ports.invalidation}/gateways   # live gateways and their applied sequence
  curl -i -H 'x-cairn-cache-debug: true' http://127.0.0.1:${ports.gateway}/products/1
  curl -s http://127.0.0.1:${ports.rules}/rules/test -H 'content-type: application/json' -d '{"url":"/products/1"}'
  curl -s http://127.0.0.1:${ports.rules}/docs/json   # OpenAPI

${
  authOn
    ? `Access control is on (users from ${process.env.USERS_FILE}): add -u viewer:viewer (cache_user) or -u admin:admin (cache_admin) to the curl lines.`
    : `Access control is off. To turn it on with the demo users (admin/admin: cache_admin, viewer/viewer: cache_user):
  AUTH_REQUIRED=true USERS_FILE=${demoUsersFile} npm start
  curl -i -u viewer:viewer http://127.0.0.1:${ports.gateway}/`
}

Ctrl-C stops everything started here.
`);
