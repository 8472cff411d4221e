/**
 * The scripted origin every proxy sits in front of: each probe registers a script for its
 * own paths, deciding status, headers (repeated field lines as arrays), body, delay, 103
 * hints, or a dropped connection per request. Conditional GETs are answered 304 when the
 * script's validators match (RFC 9110 §13.1.2, §13.1.3), and every request is recorded
 * per path (method and the headers the origin saw).
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** Response fields; an array value is sent as repeated field lines. */
export type Fields = Record<string, string | string[] | number>;

export interface Reply {
  status?: number;
  headers?: Fields;
  body?: string;
  delayMs?: number;
  /** Sent as a 103 before the final answer. */
  earlyHints?: Record<string, string>;
  /** Drops the connection without an answer (an origin that is down). */
  drop?: boolean;
  /** Leaves out the Date field node would add. */
  noDate?: boolean;
  /** Answers 304 when If-None-Match / If-Modified-Since match (default true). */
  conditional?: boolean;
}

export interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

/** `n` counts this path's requests, this one included (1-based). */
export type Script = (req: Seen, n: number) => Reply;

function header(headers: Fields | undefined, name: string): string | undefined {
  const entry = Object.entries(headers ?? {}).find(([key]) => key.toLowerCase() === name);
  const value = entry?.[1];
  return value === undefined ? undefined : String(value);
}

/** Whether the request's validators match the reply's (weak comparison for If-None-Match). */
function notModified(seen: Seen, reply: Reply): boolean {
  if (reply.conditional === false || (seen.method !== 'GET' && seen.method !== 'HEAD')) return false;
  const etag = header(reply.headers, 'etag');
  const inm = seen.headers['if-none-match'];
  if (inm !== undefined) {
    if (etag === undefined) return false;
    const strip = (tag: string) => tag.trim().replace(/^W\//, '');
    return inm.trim() === '*' || inm.split(',').some((tag) => strip(tag) === strip(etag));
  }
  const lastModified = header(reply.headers, 'last-modified');
  const ims = seen.headers['if-modified-since'];
  if (ims === undefined || lastModified === undefined) return false;
  return Date.parse(ims) >= Date.parse(lastModified);
}

async function answer(res: ServerResponse, seen: Seen, reply: Reply): Promise<void> {
  if (reply.delayMs) await sleep(reply.delayMs);
  if (reply.drop) {
    res.socket?.destroy();
    return;
  }
  if (reply.noDate) res.sendDate = false;
  if (reply.earlyHints) res.writeEarlyHints(reply.earlyHints);
  if (notModified(seen, reply)) {
    const headers = Object.fromEntries(Object.entries(reply.headers ?? {}).filter(([name]) => !/^content-(length|type)$/i.test(name)));
    res.writeHead(304, headers);
    res.end();
    return;
  }
  const body = reply.body ?? '';
  res.writeHead(reply.status ?? 200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body), ...reply.headers });
  res.end(seen.method === 'HEAD' ? undefined : body);
}

export interface ScriptedOrigin {
  url: string;
  port: number;
  on(path: string, script: Script): void;
  seen(path: string): Seen[];
  count(path: string): number;
  close(): Promise<void>;
}

export const READY_PATH = '/__conformance_ready';

export async function startScriptedOrigin(): Promise<ScriptedOrigin> {
  const scripts = new Map<string, Script>();
  const seenByPath = new Map<string, Seen[]>();
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://origin').pathname;
    const seen: Seen = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers };
    const list = seenByPath.get(path) ?? [];
    list.push(seen);
    seenByPath.set(path, list);
    req.resume();
    req.on('end', () => {
      const script = scripts.get(path);
      const reply: Reply = script
        ? script(seen, list.length)
        : { status: path === READY_PATH ? 200 : 404, headers: { 'cache-control': 'no-store' }, body: path === READY_PATH ? 'ready' : 'no script' };
      answer(res, seen, reply).catch(() => res.destroy());
    });
  });
  server.keepAliveTimeout = 2000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    on: (path, script) => void scripts.set(path, script),
    seen: (path) => seenByPath.get(path) ?? [],
    count: (path) => seenByPath.get(path)?.length ?? 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
