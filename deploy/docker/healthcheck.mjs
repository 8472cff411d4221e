// The image's HEALTHCHECK: healthy when the running service's /ready answers 200 (the
// demo origin's /health). The service is the one named on the container's command line
// (`tini -- cairn-service rules`), or the first argument here; its port comes from the same
// environment variables the service reads, with the same defaults.
import { readFileSync } from 'node:fs';

const probes = {
  gateway: () => ({ port: process.env.ADMIN_PORT || '9080', path: '/ready', host: process.env.ADMIN_HOST }),
  rules: () => ({ port: process.env.PORT || '8081', path: '/ready', host: process.env.HOST }),
  invalidation: () => ({ port: process.env.PORT || '8082', path: '/ready', host: process.env.HOST }),
  'demo-origin': () => ({ port: process.env.PORT || '8090', path: '/health', host: process.env.HOST }),
};

function runningService() {
  if (process.argv[2] !== undefined) return process.argv[2];
  const args = readFileSync('/proc/1/cmdline', 'utf8').split('\0');
  const entry = args.findIndex((arg) => arg.endsWith('cairn-service'));
  return entry === -1 ? undefined : (args[entry + 1] || 'gateway');
}

const service = runningService();
const probe = probes[service];
if (probe === undefined) {
  process.stderr.write(`healthcheck: no probe for ${JSON.stringify(service)} (expected one of ${Object.keys(probes).join(', ')})\n`);
  process.exit(1);
}
const { port, path, host } = probe();
// A wildcard listener answers on loopback; a specific address is probed where it listens.
const target = host === undefined || host === '' || host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
try {
  const res = await fetch(`http://${target.includes(':') ? `[${target}]` : target}:${port}${path}`, { signal: AbortSignal.timeout(2500) });
  if (!res.ok) {
    process.stderr.write(`healthcheck: ${service} ${path} answered ${res.status}: ${(await res.text()).slice(0, 300)}\n`);
    process.exit(1);
  }
} catch (err) {
  process.stderr.write(`healthcheck: ${service} ${path} unreachable: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
