/**
 * The access log (ACCESS_LOG): one line per answer once its last byte went out, or once
 * it ended without (`aborted`), on stdout. `json` is a pino line with the fields below;
 * `combined` is nginx's `combined` format with the outcome and request id appended. It
 * writes through its own asynchronous pino destination, not the gateway's logger (sync
 * writes, and LOG_LEVEL would silence it), and is flushed when the process exits.
 */
import type { CacheName } from '@cairn/shared';
import { pino, type DestinationStream, type Logger } from 'pino';
import type { Exchange } from './flow/exchange.js';
import type { CacheOutcome, DecisionReason, ErrorReason } from './flow/outcome.js';
import type { Reply } from './flow/reply.js';

export type AccessLogFormat = 'json' | 'combined';

/** Where lines go; a test passes a collector. */
export type AccessLogDestination = DestinationStream;

/** What one line reports; `url` is the target as received (path and query). */
export interface AccessRecord {
  requestId: string;
  method: string;
  url: string;
  httpVersion: string;
  status: number;
  bytes: number;
  latencyMs: number;
  outcome: CacheOutcome;
  /** '' for an answer made before any decision (a malformed request target). */
  reason: DecisionReason | ErrorReason | '';
  cache: CacheName;
  key: string;
  client: string;
  user: string | undefined;
  userAgent: string;
  referer: string;
  aborted: boolean;
}

export class AccessLog {
  readonly #destination: AccessLogDestination;
  readonly #json: Logger | undefined;

  constructor(format: AccessLogFormat, destination: AccessLogDestination = stdoutDestination()) {
    this.#destination = destination;
    this.#json = format === 'json' ? pino({ base: { service: 'gateway', component: 'access' }, timestamp: pino.stdTimeFunctions.isoTime }, destination) : undefined;
  }

  /** The line for a reply that ended; `outcome` and `cache` as its metrics count them. */
  write(reply: Reply, outcome: CacheOutcome, cache: CacheName, latencyMs: number, aborted: boolean): void {
    const record = accessRecord(reply, reply.exchange, outcome, cache, latencyMs, aborted);
    if (this.#json !== undefined) this.#json.info(record, 'request completed');
    else this.#destination.write(`${combinedLine(record, Date.now())}\n`);
  }
}

/**
 * Asynchronous, batched writes to fd 1, each at most PIPE_BUF (4096 bytes on Linux) and
 * made of whole lines: a pipe writes that much atomically, so with WORKERS > 1 (every
 * worker writes to the same stdout) lines never interleave, unless one line alone is longer.
 */
function stdoutDestination(): AccessLogDestination {
  return pino.destination({ dest: 1, sync: false, maxWrite: 4096 });
}

function accessRecord(reply: Reply, exchange: Exchange | undefined, outcome: CacheOutcome, cache: CacheName, latencyMs: number, aborted: boolean): AccessRecord {
  const req = reply.raw.req;
  const agent = req.headers['user-agent'];
  return {
    requestId: exchange?.requestId ?? '',
    method: req.method ?? '',
    url: req.url ?? '',
    httpVersion: req.httpVersion,
    status: reply.raw.statusCode,
    bytes: reply.bodyBytes,
    latencyMs: Math.round(latencyMs * 1000) / 1000,
    outcome,
    reason: reply.errorReason ?? exchange?.reason ?? '',
    cache,
    key: exchange?.key ?? '',
    client: req.socket.remoteAddress ?? '',
    user: exchange?.principal?.username,
    userAgent: agent ?? '',
    referer: req.headers.referer ?? '',
    aborted,
  };
}

/** Anything but visible ASCII other than `"` and `\`: escaped as nginx's `escape=default` does (\xHH). */
const NEEDS_ESCAPE = /[^\x20\x21\x23-\x5b\x5d-\x7e]/;

function escaped(value: string | undefined): string {
  if (value === undefined || value === '') return '-';
  if (!NEEDS_ESCAPE.test(value)) return value;
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const visible = byte >= 0x20 && byte <= 0x7e && byte !== 0x22 && byte !== 0x5c;
    out += visible ? String.fromCharCode(byte) : `\\x${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
let lastSecond = -1;
let lastTime = '';

/** `$time_local` in UTC (`02/Dec/2026:12:52:24 +0000`), formatted once per second. */
function timeLocal(now: number): string {
  const second = Math.floor(now / 1000);
  if (second === lastSecond) return lastTime;
  const d = new Date(second * 1000);
  const two = (n: number) => String(n).padStart(2, '0');
  lastSecond = second;
  lastTime = `${two(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`;
  return lastTime;
}

/**
 * nginx's `combined`: `$remote_addr - $remote_user [$time_local] "$request" $status
 * $body_bytes_sent "$http_referer" "$http_user_agent"`, then the outcome, the reason, the
 * latency in seconds with ms resolution (as `$request_time`), the cache key quoted, and the
 * request id last.
 */
export function combinedLine(record: AccessRecord, now: number): string {
  const request = `${escaped(record.method)} ${escaped(record.url)} HTTP/${record.httpVersion}`;
  return `${record.client || '-'} - ${escaped(record.user)} [${timeLocal(now)}] "${request}" ${record.status} ${record.bytes} "${escaped(record.referer)}" "${escaped(record.userAgent)}" ${record.outcome} ${record.reason || '-'} ${(record.latencyMs / 1000).toFixed(3)} "${escaped(record.key)}" ${record.requestId || '-'}`;
}
