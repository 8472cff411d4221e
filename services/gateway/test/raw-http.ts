/** Requests the gateway's tests send byte for byte or with methods fetch() will not send. */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { connect as connectTcp } from 'node:net';

export interface RawAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** Informational answers seen before the final one (status and headers). */
  informational: Array<{ status: number; headers: IncomingHttpHeaders }>;
}

/** One request through node:http (any method token, a body, the 1xx answers it saw). */
export function send(url: string, method: string, options: { headers?: Record<string, string>; body?: string } = {}): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const informational: RawAnswer['informational'] = [];
    const req = httpRequest(url, { method, headers: options.headers }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body, informational }));
      response.on('error', reject);
    });
    req.on('information', (info) => informational.push({ status: info.statusCode, headers: info.headers }));
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Writes `bytes` on a fresh connection and returns everything received until the gateway closes it. */
export function sendBytes(url: string, bytes: string): Promise<string> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    let received = '';
    const socket = connectTcp(Number(port), '127.0.0.1', () => socket.write(bytes));
    socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
    socket.on('close', () => resolve(received));
    socket.on('error', (err: NodeJS.ErrnoException) => (err.code === 'ECONNRESET' ? resolve(received) : reject(err)));
  });
}

/** The status line's code, the lowercased header fields and the body of a raw HTTP/1.1 answer. */
export function parseRaw(received: string): { status: number; headers: Record<string, string>; body: string } {
  const split = received.indexOf('\r\n\r\n');
  const [statusLine = '', ...lines] = received.slice(0, split).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: Number(statusLine.split(' ')[1]), headers, body: received.slice(split + 4) };
}
