/**
 * The origin all three proxies front in `bench:vs-nginx`: 1 KB and 100 KB bodies that every
 * proxy may cache for an hour (`Cache-Control: public, max-age=3600`), so nginx (without
 * proxy_cache_valid), Varnish (builtin VCL) and Cairn (`origin_expires`) store the same things.
 * `/100k…` answers 100 KB, any other path 1 KB; the conformance ready path answers 200.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { READY_PATH } from '../conformance/origin.js';

export interface BenchOrigin {
  url: string;
  port: number;
  /** Requests answered, for the miss path's sanity check. */
  served(): number;
  close(): Promise<void>;
}

export async function startBenchOrigin(): Promise<BenchOrigin> {
  const small = Buffer.alloc(1024, 'a');
  const large = Buffer.alloc(100 * 1024, 'b');
  let served = 0;
  const server: Server = createServer((req, res) => {
    served++;
    const body = req.url === READY_PATH ? Buffer.from('ok') : req.url?.startsWith('/100k') ? large : small;
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length, 'cache-control': 'public, max-age=3600' });
    res.end(body);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    served: () => served,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
