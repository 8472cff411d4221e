/**
 * `npm run bench:conformance [-- --out FILE] [-- --proxies cairn,nginx,varnish]`: the same
 * RFC 9111 probes against Cairn, nginx (proxy_cache) and Varnish (builtin VCL), each in
 * front of one scripted origin on loopback, and a markdown table of the verdicts on stdout
 * and in FILE (default ./conformance-results.md). A proxy whose binary is missing is a
 * skipped column, never a guessed one. Every process started is stopped by PID and every
 * temp dir removed, at the end, on SIGINT/SIGTERM, and when the run's bound passes.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startScriptedOrigin } from './origin.js';
import { onCleanup, stopAll } from './processes.js';
import { allProbes } from './probes/all.js';
import { startCairn } from './proxies/cairn.js';
import { startNginx } from './proxies/nginx.js';
import type { ProxyName, Started } from './proxies/target.js';
import { startVarnish } from './proxies/varnish.js';
import { renderReport, type Column } from './report.js';
import { runProbes } from './run-probes.js';

/** The whole run stays under three minutes, whatever hangs. */
const RUN_BOUND_MS = 170_000;
const PROXIES: ProxyName[] = ['cairn', 'nginx', 'varnish'];

const { values } = parseArgs({ options: { out: { type: 'string', default: 'conformance-results.md' }, proxies: { type: 'string', default: PROXIES.join(',') } } });
const wanted = values.proxies.split(',').map((name) => name.trim()).filter((name): name is ProxyName => (PROXIES as string[]).includes(name));

let stopping = false;
async function shutdown(code: number, why?: string): Promise<never> {
  if (!stopping) {
    stopping = true;
    if (why) console.error(why);
    await stopAll();
  }
  process.exit(code);
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void shutdown(130, `${signal}: stopping what was started`));
setTimeout(() => void shutdown(1, `conformance run exceeded ${RUN_BOUND_MS} ms: stopped`), RUN_BOUND_MS).unref();

async function main(): Promise<void> {
  const origin = await startScriptedOrigin();
  onCleanup(() => origin.close());
  const starters: Record<ProxyName, () => Promise<Started>> = {
    cairn: () => startCairn(origin.url),
    nginx: () => startNginx(origin.port),
    varnish: () => startVarnish(origin.port),
  };
  const columns: Column[] = [];
  for (const name of wanted) {
    const started = await starters[name]();
    if (!started.ok) {
      console.error(`${name}: skipped: ${started.reason}`);
      columns.push({ name, skipped: started.reason, notes: [] });
      continue;
    }
    const begun = Date.now();
    const verdicts = await runProbes(allProbes, started.target, origin);
    console.error(`${name}: ${allProbes.length} probes in ${((Date.now() - begun) / 1000).toFixed(1)} s`);
    columns.push({ name, verdicts, notes: started.target.notes });
  }
  const report = renderReport(allProbes, columns, [`run ${new Date().toISOString()}, scripted origin on loopback, ${allProbes.length} probes`]);
  // `npm run` moves into the package root; a relative --out is meant from where it was typed.
  const out = resolve(process.env.INIT_CWD ?? process.cwd(), values.out);
  writeFileSync(out, report);
  console.log(report);
  console.error(`written to ${out}`);
}

main().then(
  () => shutdown(0),
  (err: unknown) => shutdown(1, `conformance run failed: ${(err as Error).stack ?? String(err)}`),
);
