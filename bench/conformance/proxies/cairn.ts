/**
 * Cairn as an operator who wants the origin's own HTTP semantics runs it: a real
 * nats-server, the gateway as its own process started from this checkout's source (so a run
 * from a merged tree measures the merged code), and one rule `^/.*$` with
 * `ttl: "origin_expires"`. Request headers the Vary probes need are forwarded with
 * `defaultForwardHeaders`; a gateway that refuses that key is started without it (and says so).
 */
import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeMessage, headers as cairnHeaders, ruleSchema, subjects } from '@cairn/shared';
import { startNatsServer, tempDir, type TempDir } from '@cairn/testing';
import { connect, headers as natsHeaders } from 'nats';
import { freePort, onCleanup, startTracked, waitUntil, type Tracked } from '../processes.js';
import { answersThrough, type Started } from './target.js';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const FORWARD_HEADERS = ['user-agent', 'accept-language'];
const RULE = { id: 'all', pathPatterns: ['^/.*$'], ttl: 'origin_expires' };

async function launch(dir: TempDir, natsUrl: string, originUrl: string, forward: boolean, workers: number | undefined): Promise<{ proc: Tracked; url: string; adminUrl: string }> {
  const cacheConfiguration = {
    defaultOrigin: originUrl,
    defaultCacheKey: { includeQueryParams: 'ALL' },
    ...(forward ? { defaultForwardHeaders: FORWARD_HEADERS } : {}),
  };
  await writeFile(join(dir.path, 'cacheConfiguration.conformance.json'), JSON.stringify(cacheConfiguration));
  const [port, adminPort] = [await freePort(), await freePort()];
  // CAIRN_GATEWAY_NODE_ARGS: node flags for the gateway alone, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`.
  const nodeArgs = process.env.CAIRN_GATEWAY_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const proc = startTracked(process.execPath, [...nodeArgs, '--import', 'tsx', '--conditions=source', join(REPO_ROOT, 'services/gateway/src/main.ts')], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      NATS_URL: natsUrl,
      AUTH_REQUIRED: 'false',
      HOST: '127.0.0.1',
      PORT: String(port),
      ADMIN_PORT: String(adminPort),
      ENVIRONMENT: 'conformance',
      CONFIG_DIR: dir.path,
      DATA_DIR: join(dir.path, 'data'),
      GATEWAY_ID: 'conformance',
      LOG_LEVEL: 'error',
      // Unset: the gateway's default (one worker per core).
      ...(workers === undefined ? {} : { WORKERS: String(workers) }),
    },
  });
  const adminUrl = `http://127.0.0.1:${adminPort}`;
  await waitUntil('gateway', async () => (await fetch(`${adminUrl}/health`, { signal: AbortSignal.timeout(1000) })).ok, 30_000, proc).catch(async (err: unknown) => {
    await proc.stop();
    throw err;
  });
  return { proc, url: `http://127.0.0.1:${port}`, adminUrl };
}

async function publishRule(natsUrl: string): Promise<number> {
  const nc = await connect({ servers: natsUrl, timeout: 5000 });
  try {
    const h = natsHeaders();
    h.set(cairnHeaders.natsOp, 'upsert');
    const ack = await nc.jetstream().publish(subjects.rule(RULE.id), encodeMessage({ op: 'upsert', rule: ruleSchema.parse(RULE) }), { headers: h, timeout: 5000 });
    return ack.seq;
  } finally {
    await nc.close();
  }
}

/** `workers`: WORKERS for the gateway (its default, one per core, when undefined). */
export async function startCairn(originUrl: string, workers?: number): Promise<Started> {
  try {
    const nats = await startNatsServer();
    onCleanup(() => nats.stop());
    const dir = await tempDir('cairn-conformance-gateway-');
    onCleanup(() => dir.remove());
    const notes: string[] = [];
    let forward = true;
    let gateway = await launch(dir, nats.url, originUrl, true, workers).catch((err: Error) => err);
    if (gateway instanceof Error) {
      notes.push(`defaultForwardHeaders refused at startup (${gateway.message.split('\n').find((line) => /forward/i.test(line))?.trim() ?? 'see gateway log'}): started without it`);
      forward = false;
      gateway = await launch(dir, nats.url, originUrl, false, workers);
    }
    const { proc, url, adminUrl } = gateway;
    // The gateway creates the streams it reads once it runs; with WORKERS > 1 its workers do,
    // after the primary's /health already answers: publish once the rules stream exists.
    let seq = 0;
    await waitUntil(
      'rules stream',
      async () => {
        seq = await publishRule(nats.url);
        return true;
      },
      15_000,
      proc,
    );
    await waitUntil(
      'gateway rule feed',
      async () => {
        const ready = (await (await fetch(`${adminUrl}/ready`, { signal: AbortSignal.timeout(1000) })).json()) as { rules?: { revision?: number } };
        return (ready.rules?.revision ?? 0) >= seq;
      },
      15_000,
      proc,
    );
    await waitUntil('gateway', answersThrough(url), 10_000, proc);
    const commit = spawnSync('git', ['-C', REPO_ROOT, 'log', '-1', '--format=%h %s'], { encoding: 'utf8', timeout: 5000 }).stdout?.trim() || 'commit unknown';
    notes.push(`gateway from ${REPO_ROOT} source at ${commit}; rule {id:'all', pathPatterns:['^/.*$'], ttl:'origin_expires'}`);
    return { ok: true, target: { name: 'cairn', url, notes, forwardsRequestHeaders: forward, pid: proc.child.pid ?? -1 } };
  } catch (err) {
    return { ok: false, reason: (err as Error).message };
  }
}
