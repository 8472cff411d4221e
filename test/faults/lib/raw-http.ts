/** HTTP/1.1 over a raw socket: what `fetch` refuses to send (smuggling, fragments, folds). */
import { connect, type Socket } from 'node:net';

export interface RawResponse {
  status: number | undefined;
  headers: Record<string, string[]>;
  body: string;
  /** The server closed the connection. */
  closed: boolean;
  raw: string;
}

/** Parses the first response in `text`; `complete` once its body is whole. */
export function parseResponse(text: string): { response: RawResponse; complete: boolean } {
  const end = text.indexOf('\r\n\r\n');
  const empty: RawResponse = { status: undefined, headers: {}, body: '', closed: false, raw: text };
  if (end === -1) return { response: empty, complete: false };
  const [statusLine = '', ...lines] = text.slice(0, end).split('\r\n');
  const status = Number(statusLine.split(' ')[1]);
  const headers: Record<string, string[]> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim().toLowerCase();
    (headers[name] ??= []).push(line.slice(colon + 1).trim());
  }
  // Interim 1xx answers are skipped: the final answer follows.
  if (status >= 100 && status < 200) {
    const rest = parseResponse(text.slice(end + 4));
    return rest;
  }
  const rest = text.slice(end + 4);
  const length = headers['content-length']?.[0];
  const response = { status, headers, body: rest, closed: false, raw: text };
  if (length !== undefined) return { response: { ...response, body: rest.slice(0, Number(length)) }, complete: Buffer.byteLength(rest) >= Number(length) };
  if (headers['transfer-encoding']?.[0]?.includes('chunked')) return { response: { ...response, body: dechunk(rest) }, complete: rest.includes('0\r\n\r\n') };
  return { response, complete: status === 304 || status === 204 };
}

function dechunk(text: string): string {
  let out = '';
  let at = 0;
  for (let i = 0; i < 10_000; i++) {
    const line = text.indexOf('\r\n', at);
    if (line === -1) break;
    const size = parseInt(text.slice(at, line), 16);
    if (!(size > 0)) break;
    out += text.slice(line + 2, line + 2 + size);
    at = line + 2 + size + 2;
  }
  return out;
}

export function openSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' }, () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Sends `text` (and later `parts`), returns the first complete response or what came before `timeoutMs`. */
export async function rawRequest(port: number, text: string | Buffer, timeoutMs = 3000): Promise<RawResponse> {
  const socket = await openSocket(port);
  return new Promise((resolve) => {
    let data = '';
    let closed = false;
    const finish = () => {
      clearTimeout(timer);
      const { response } = parseResponse(data);
      socket.destroy();
      resolve({ ...response, closed });
    };
    const timer = setTimeout(finish, timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      data += chunk.toString('latin1');
      if (parseResponse(data).complete) finish();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      closed = true;
      finish();
    });
    socket.write(text);
  });
}
