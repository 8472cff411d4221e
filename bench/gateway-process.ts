/**
 * A gateway as its own process for load benchmarks (as deployed), with a minimal origin in
 * this process answering `body`, a test nats-server and one catch-all rule. Every wait is
 * bounded; `stop()` ends only what it started.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { encodeMessage, headers as cairnHeaders, subjects } from '@cairn/shared';
import { freePort, startNatsServer, tempDir } from '@cairn/testing';
import { connect } from 'nats';

export interface BenchGateway {
  gatewayUrl: string;
  adminUrl: string;
  originUrl: string;
  port: number;
  /** The gateway process's PID (for its CPU time). */
  pid: number;
  /** Requests `path` until the gateway answers it as a HIT (bounded). */
  warm(path: string, init?: RequestInit): Promise<void>;
  stop(): Promise<void>;
}


export async function startBenchGateway(options: { body: Buffer; contentType: string; nodeArgs?: string[]; env?: Record<string, string> }): Promise<BenchGateway> {
  const origin: Server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': options.contentType, 'content-length': options.body.length });
    res.end(options.body);
  });
  await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
  const originUrl = `http://127.0.0.1:${(origin.address() as AddressInfo).port}`;
  const nats = await startNatsServer();
  const dir = await tempDir('cairn-bench-gateway-');
  writeFileSync(join(dir.path, 'cacheConfiguration.bench.json'), JSON.stringify({ defaultOrigin: originUrl, defaultCacheKey: {} }));
  const [port, adminPort] = [await freePort(), await freePort()];
  const gateway = spawn(process.execPath, [...(options.nodeArgs ?? []), '--import', 'tsx', '--conditions=source', 'services/gateway/src/main.ts'], {
    env: {
      ...process.env,
      NATS_URL: nats.url,
      AUTH_REQUIRED: 'false',
      HOST: '127.0.0.1',
      PORT: String(port),
      ADMIN_PORT: String(adminPort),
      ENVIRONMENT: 'bench',
      CONFIG_DIR: dir.path,
      DATA_DIR: join(dir.path, 'data'),
      LOG_LEVEL: 'warn',
      ...options.env,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const gatewayUrl = `http://127.0.0.1:${port}`;
  const adminUrl = `http://127.0.0.1:${adminPort}`;
  const stop = async () => {
    gateway.kill('SIGTERM');
    await new Promise((resolve) => gateway.once('exit', resolve));
    origin.close();
    await nats.stop();
    await dir.remove();
  };
  try {
    for (let i = 0; !(await fetch(`${adminUrl}/ready`).then((r) => r.ok, () => false)); i++) {
      if (i === 200) throw new Error('gateway not ready within 20 s');
      await sleep(100);
    }
    const nc = await connect({ servers: nats.url });
    await nc.jetstream().publish(subjects.rule('all'), encodeMessage({ op: 'upsert', rule: { id: 'all', description: '', pathPatterns: ['^/.*$'], ttl: '1h' } }));
    await nc.close();
  } catch (err) {
    await stop();
    throw err;
  }
  const warm = async (path: string, init?: RequestInit) => {
    for (let i = 0; (await fetch(`${gatewayUrl}${path}`, init).then(async (r) => (await r.arrayBuffer(), r.headers.get(cairnHeaders.cache)))) !== 'HIT'; i++) {
      if (i === 100) throw new Error('rule not applied within 10 s');
      await sleep(100);
    }
  };
  return { gatewayUrl, adminUrl, originUrl, port, pid: gateway.pid as number, warm, stop };
}
