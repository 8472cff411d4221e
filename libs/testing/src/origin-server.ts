/**
 * A real HTTP origin for tests: counts requests per path and answers each path as told
 * (status, headers, body, delay). Unknown paths get 200 with a body naming the path.
 */
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export interface OriginRoute {
  status?: number;
  headers?: Record<string, string | string[]>;
  body?: string | ((request: OriginRequest) => string);
  delayMs?: number;
  /** Full control of the answer (conditional answers, bodies sent in parts, broken connections). */
  handle?: (request: OriginRequest, response: ServerResponse) => void | Promise<void>;
}

export interface OriginRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Origin extends AsyncDisposable {
  url: string;
  port: number;
  /** Requests received for a path (without query), or in total. */
  count(path?: string): number;
  requests: OriginRequest[];
  route(path: string, route: OriginRoute): void;
  close(): Promise<void>;
}

export async function startOrigin(routes: Record<string, OriginRoute> = {}): Promise<Origin> {
  const table = new Map(Object.entries(routes));
  const requests: OriginRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request: OriginRequest = {
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      };
      requests.push(request);
      const path = request.url.split('?')[0] ?? '/';
      const route = table.get(path) ?? {};
      void (async () => {
        if (route.delayMs) await sleep(route.delayMs);
        if (route.handle !== undefined) return route.handle(request, res);
        const body = typeof route.body === 'function' ? route.body(request) : (route.body ?? `origin:${request.url}`);
        res.writeHead(route.status ?? 200, { 'content-type': 'text/plain', ...route.headers });
        res.end(body);
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    count: (path?: string) =>
      path === undefined ? requests.length : requests.filter((r) => (r.url.split('?')[0] ?? '/') === path).length,
    route: (path, route) => table.set(path, route),
    close,
    [Symbol.asyncDispose]: close,
  };
}
