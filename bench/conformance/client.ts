/**
 * The probes' HTTP client: one fresh loopback connection per request (no keep-alive state
 * shared between probes), raw status and headers as received, interim 1xx answers kept,
 * and a hard timeout on every request.
 */
import { request } from 'node:http';

export interface Answer {
  status: number;
  /** Lowercased names; repeated fields joined with ", " (set-cookie with "\n"). */
  headers: Record<string, string>;
  body: string;
  /** Interim 1xx answers seen before the final one (RFC 9110 §15.2). */
  informational: { status: number; headers: Record<string, string> }[];
}

export interface Ask {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  timeoutMs?: number;
}

export const REQUEST_TIMEOUT_MS = 5000;

function flatten(headers: NodeJS.Dict<string | string[]>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name] = Array.isArray(value) ? value.join(name === 'set-cookie' ? '\n' : ', ') : value;
  }
  return out;
}

export function ask(baseUrl: string, path: string, options: Ask = {}): Promise<Answer> {
  const url = new URL(path, baseUrl);
  const timeoutMs = options.timeoutMs ?? REQUEST_TIMEOUT_MS;
  return new Promise<Answer>((resolve, reject) => {
    const informational: Answer['informational'] = [];
    const req = request(
      { host: url.hostname, port: url.port, path: `${url.pathname}${url.search}`, method: options.method ?? 'GET', headers: options.headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, headers: flatten(res.headers), body: Buffer.concat(chunks).toString('utf8'), informational });
        });
      },
    );
    const timer = setTimeout(() => req.destroy(new Error(`${options.method ?? 'GET'} ${path} timed out after ${timeoutMs} ms`)), timeoutMs);
    req.on('information', (info) => informational.push({ status: info.statusCode, headers: flatten(info.headers) }));
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.end(options.body);
  });
}
