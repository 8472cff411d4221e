/**
 * The fault suite's origin: answers by path prefix, counts requests per path and keeps a
 * bounded log of what it received, so rows can compare what clients got with what it sent.
 * Default answer: `v<version>:<url>`, where a row bumps a path's version to detect stale hits.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export type Handler = (request: Received, response: ServerResponse) => void;

const LOG_BOUND = 50_000;

export interface FaultOrigin {
  url: string;
  port: number;
  /** Routes requests whose path starts with `prefix` to `handler` (longest prefix wins). */
  on(prefix: string, handler: Handler): void;
  count(path: string): number;
  received(prefix: string): Received[];
  version(path: string): number;
  bump(path: string): number;
  /** The default answer for a URL at its current version. */
  bodyFor(url: string): string;
  close(): Promise<void>;
}

const pathOf = (url: string): string => url.split('?')[0] ?? url;

export async function startFaultOrigin(): Promise<FaultOrigin> {
  const handlers = new Map<string, Handler>();
  const counts = new Map<string, number>();
  const versions = new Map<string, number>();
  const log: Received[] = [];
  const bodyFor = (url: string) => `v${versions.get(pathOf(url)) ?? 0}:${url}`;
  const server: Server = createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const received: Received = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks).toString() };
      const path = pathOf(received.url);
      counts.set(path, (counts.get(path) ?? 0) + 1);
      if (log.length < LOG_BOUND) log.push(received);
      let best: Handler | undefined;
      let bestLength = -1;
      for (const [prefix, handler] of handlers) {
        if (path.startsWith(prefix) && prefix.length > bestLength) {
          best = handler;
          bestLength = prefix.length;
        }
      }
      if (best !== undefined) return best(received, res);
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(bodyFor(received.url));
    });
  });
  server.on('clientError', (_err, socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    on: (prefix, handler) => void handlers.set(prefix, handler),
    count: (path) => counts.get(path) ?? 0,
    received: (prefix) => log.filter((r) => r.url.startsWith(prefix)),
    version: (path) => versions.get(path) ?? 0,
    bump(path) {
      const next = (versions.get(path) ?? 0) + 1;
      versions.set(path, next);
      return next;
    },
    bodyFor,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
