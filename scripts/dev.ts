/**
 * `npm start`: the dev launcher (README, Two commands). Starts nats-server -js on a temp store,
 * the rules and invalidation services, GATEWAYS gateways (default 1) and a demo origin,
 * each service as operators run it (`node services/<name>/dist/main.js`, configured by
 * environment variables); seeds a rule that caches everything; stops all of it on Ctrl-C.
 * Access control is off unless AUTH_REQUIRED=true is set; a demo users file is written
 * either way (README, Access control), and the launcher prints how to turn it on.
 * Ports come from flags (`--help`); one already in use stops it with one line naming it.
 * A closed terminal (SIGHUP) stops everything as Ctrl-C does.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { hashPassword, removeDevNatsSession, writeDevNatsSession } from '@cairn/shared';
import { NATS_INSTALL_HINT, natsPermissions, natsServerAvailable, startNatsServer, tempDir, type NatsUserName } from '@cairn/testing';
import { startDemoOrigin } from '@cairn/demo-origin';

const root = fileURLToPath(new URL('..', import.meta.url));
const defaults = { nats: 4222, gateway: 8080, admin: 9080, rules: 8081, invalidation: 8082, origin: 8090 };
const portFlags = { nats: 'nats-port', gateway: 'gateway-port', admin: 'admin-port', rules: 'rules-port', invalidation: 'invalidation-port', origin: 'origin-port' } as const;
type PortName = keyof typeof defaults;

const usage = `Usage: npm start -- [options]    (or: npx tsx scripts/dev.ts [options])

Starts nats-server -js, the rules and invalidation services, the gateways and a demo origin
on 127.0.0.1; Ctrl-C or a closed terminal stops all of it.

Options:
${(Object.keys(defaults) as PortName[]).map((name) => `  --${portFlags[name].padEnd(18)} <port>  default ${defaults[name]}`).join('\n')}
  --gateways           <n>     gateways to start, 1 to 9 (default 1, or GATEWAYS)
  --help                       this text

Gateway n > 1 listens on gateway-port + 10 + n - 1 and admin-port + n - 1.
Environment: GATEWAYS, LOG_LEVEL (default warn), AUTH_REQUIRED, USERS_FILE.
`;

let args: ReturnType<typeof parseCommandLine>;
function parseCommandLine() {
  return parseArgs({
    options: {
      ...Object.fromEntries(Object.values(portFlags).map((flag) => [flag, { type: 'string' as const }])),
      gateways: { type: 'string' },
      help: { type: 'boolean' },
    },
  }).values as Partial<Record<(typeof portFlags)[PortName] | 'gateways', string>> & { help?: boolean };
}
try {
  args = parseCommandLine();
} catch (err) {
  process.stderr.write(`${(err as Error).message} (npm start -- --help lists the options)\n`);
  process.exit(1);
}
if (args.help === true) {
  process.stdout.write(usage);
  process.exit(0);
}
const ports = { ...defaults };
for (const name of Object.keys(defaults) as PortName[]) {
  const text = args[portFlags[name]];
  if (text === undefined) continue;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    process.stderr.write(`--${portFlags[name]}: expected a port number from 1 to 65535, got ${JSON.stringify(text)}\n`);
    process.exit(1);
  }
  ports[name] = port;
}
const gatewayCount = Number(args.gateways ?? process.env.GATEWAYS ?? '1');
const logLevel = process.env.LOG_LEVEL ?? 'warn';

// The services turn access control on by default; the launcher is for trying things out.
process.env.AUTH_REQUIRED ??= 'false';
const authOn = process.env.AUTH_REQUIRED === 'true';
const demoUsersFile = join(root, '.cairn', 'users.json');
const demoAdmin = `Basic ${Buffer.from('admin:admin').toString('base64')}`;

// Debian's nats-server package installs to /usr/sbin, often not on a user's PATH.
if (!natsServerAvailable() && existsSync('/usr/sbin/nats-server')) process.env.PATH = `${process.env.PATH ?? ''}${delimiter}/usr/sbin`;
if (!natsServerAvailable()) {
  process.stderr.write(`${NATS_INSTALL_HINT} (looked on PATH and in /usr/sbin)\n`);
  process.exit(1);
}
if (!Number.isInteger(gatewayCount) || gatewayCount < 1 || gatewayCount > 9) {
  process.stderr.write(`GATEWAYS: expected a number from 1 to 9, got ${JSON.stringify(args.gateways ?? process.env.GATEWAYS)}\n`);
  process.exit(1);
}

/** Every port this run needs, by what uses it. */
/** What uses each port, the port, and the flag that moves it. */
const needed: [string, number, string][] = [
  ['nats', ports.nats, 'nats-port'],
  ['rules', ports.rules, 'rules-port'],
  ['invalidation', ports.invalidation, 'invalidation-port'],
  ['origin', ports.origin, 'origin-port'],
  ...Array.from({ length: gatewayCount }, (_, i): [string, number, string][] => [
    [`gateway ${i + 1}`, gatewayPort(i), 'gateway-port'],
    [`gateway ${i + 1} admin`, ports.admin + i, 'admin-port'],
  ]).flat(),
];
function gatewayPort(index: number): number {
  return index === 0 ? ports.gateway : ports.gateway + 10 + index;
}
/** Checked before anything starts: a leftover nats-server (or anything else) on a port is one line, not a half-started Cairn. */
for (const [use, port, flag] of needed) {
  const taken = await new Promise<boolean>((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(true));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(false)));
  });
  if (taken) {
    process.stderr.write(`port ${port} (${use}) is already in use, by a leftover nats-server or another program: stop it, or choose another with --${flag}\n`);
    process.exit(1);
  }
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
// A closed terminal: node's default would end the launcher and leave nats-server and the temp dirs behind.
process.on('SIGHUP', () => {
  // The terminal is gone: writes to it fail with EIO, which must not end the stop halfway.
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
  void stop(0);
});

function runService(name: string, env: Record<string, string>): void {
  const service = name.replace(/-\d+$/, '') as NatsUserName;
  const child = spawn(process.execPath, [join(root, 'services', service, 'dist', 'main.js')], {
    // DRAIN_MS=0: no load balancer to tell here, so Ctrl-C stops at once.
    env: { ...process.env, NATS_URL: nats.url, HOST: '127.0.0.1', LOG_LEVEL: logLevel, DRAIN_MS: '0', ...natsUsers.users[service], ...env },
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

// The gateway's cache configuration: POST /rules/test keys URLs as the gateways do.
runService('rules', { PORT: String(ports.rules), CONFIG_DIR: dir.path, ENVIRONMENT: 'local' });
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
  const port = gatewayPort(i);
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
