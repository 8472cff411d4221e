/**
 * One undici pool per origin with the timeouts of README, Gateway configuration, admitted through
 * ConnectionSlots (a bounded wait for a busy pool), and the one place that turns an undici
 * failure into OriginTimeoutError (504) or OriginUnavailableError (502).
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import type { CacheName } from '@cairn/shared';
import { Pool, type Dispatcher } from 'undici';
import type { GatewayEnv } from '../config.js';
import { ClientAbortedError, OriginBusyError, OriginTimeoutError, OriginUnavailableError, type OriginTimeoutKind } from '../errors.js';
import type { GatewayMetrics } from '../metrics.js';
import { ConnectionSlots, type SlotEvents } from './connection-slots.js';
import type { OriginInfo } from './early-hints.js';

export interface OriginRequest {
  method: string;
  /** Path and query relative to the origin's base path. */
  path: string;
  headers: Record<string, string | string[]>;
  body?: Readable | undefined;
  signal: AbortSignal;
  /**
   * Called once a connection is held, just before the request and its body go out: where a
   * client waiting on `Expect: 100-continue` is told to send the body (RFC 9110 §10.1.1).
   */
  beforeSend?: (() => void) | undefined;
  /** The origin's informational (1xx) answers before the final one (origin/early-hints.ts). */
  onInfo?: ((info: OriginInfo) => void) | undefined;
}

export interface OriginResponse {
  statusCode: number;
  headers: IncomingHttpHeaders;
  body: Readable;
}

/** What an origin request failed with, as the client is answered. */
export type OriginFailure = OriginTimeoutError | OriginUnavailableError | OriginBusyError | ClientAbortedError;

/** Where a route's fetches go: a real origin pool, or synthetic answers in LOAD_TEST_MODE. */
export interface Origin {
  readonly origin: string;
  request(request: OriginRequest): Promise<OriginResponse>;
  classify(err: unknown, signal: AbortSignal): OriginFailure;
  close(): Promise<void>;
}

const TIMEOUT_CODES: Record<string, OriginTimeoutKind> = {
  UND_ERR_CONNECT_TIMEOUT: 'connect',
  UND_ERR_HEADERS_TIMEOUT: 'headers',
  UND_ERR_BODY_TIMEOUT: 'body',
};

/** The metrics a route's slots report to. */
export function slotMetrics(metrics: GatewayMetrics, cache: CacheName): SlotEvents {
  return {
    rejected: (reason) => metrics.originQueueRejections.inc({ cache, reason }),
    waiting: (count) => metrics.originQueueWaiting.set({ cache }, count),
    busy: (count) => metrics.originConnectionsBusy.set({ cache }, count),
  };
}

/**
 * The headers undici is given. `Expect` is the client's expectation of the gateway, which
 * answers it itself; undici refuses the header (a 502 before #9), so it never goes upstream.
 */
function upstreamHeaders(headers: Record<string, string | string[]>): Record<string, string | string[]> {
  if (headers.expect === undefined) return headers;
  const rest = { ...headers };
  delete rest.expect;
  return rest;
}

/**
 * Gives up an origin body nobody will read, and with it its connection. undici makes a
 * destroyed body emit its abort error; with no listener that error is thrown and the
 * stream's 'close' (which gives the connection back) never comes. The abort is ours, so it
 * is expected, not an origin failure.
 */
export function abandonBody(body: Readable): void {
  body.once('error', () => undefined);
  body.destroy();
}

export class OriginPool implements Origin {
  readonly origin: string;
  readonly #basePath: string;
  readonly #pool: Pool;
  readonly #slots: ConnectionSlots;
  readonly #events: SlotEvents;

  constructor(originUrl: string, env: GatewayEnv, events: SlotEvents) {
    const url = new URL(originUrl);
    this.origin = url.origin;
    this.#basePath = url.pathname.replace(/\/+$/, '');
    this.#pool = new Pool(url.origin, {
      connections: env.MAX_CONNECTIONS,
      keepAliveTimeout: env.CLIENT_TTL_MS,
      connect: { timeout: env.CONNECT_TIMEOUT_MS },
      headersTimeout: env.HEADERS_TIMEOUT_MS,
      bodyTimeout: env.BODY_TIMEOUT_MS,
    });
    this.#events = events;
    this.#slots = new ConnectionSlots(url.origin, env.MAX_CONNECTIONS, env.ORIGIN_QUEUE_LIMIT, env.ORIGIN_QUEUE_TIMEOUT_MS, events);
  }

  async request(request: OriginRequest): Promise<OriginResponse> {
    let release;
    try {
      release = await this.#slots.acquire(request.signal);
    } catch (err) {
      const failure = this.classify(err, request.signal);
      if (!(failure instanceof OriginTimeoutError)) throw failure;
      // The deadline passed while it waited: the origin never saw it, so it is a queue timeout.
      this.#events.rejected('queue-timeout');
      throw new OriginBusyError(this.origin, 'queue-timeout');
    }
    try {
      request.beforeSend?.();
      const response = await this.#pool.request({
        method: request.method as Dispatcher.HttpMethod,
        path: this.#basePath + request.path,
        headers: upstreamHeaders(request.headers),
        body: request.body ?? null,
        signal: request.signal,
        ...(request.onInfo === undefined ? {} : { onInfo: request.onInfo }),
      });
      // The connection is busy until the body is read to its end or dropped (a client
      // that went away, a deadline): both close the stream.
      response.body.once('close', release);
      return response;
    } catch (err) {
      release();
      throw this.classify(err, request.signal);
    }
  }

  classify(err: unknown, signal: AbortSignal): OriginFailure {
    if (err instanceof OriginTimeoutError || err instanceof OriginUnavailableError || err instanceof OriginBusyError || err instanceof ClientAbortedError) return err;
    if (signal.aborted) return signal.reason instanceof ClientAbortedError ? signal.reason : new OriginTimeoutError(this.origin, 'deadline', err);
    const kind = TIMEOUT_CODES[(err as { code?: string }).code ?? ''];
    return kind === undefined ? new OriginUnavailableError(this.origin, err) : new OriginTimeoutError(this.origin, kind, err);
  }

  close(): Promise<void> {
    return this.#pool.close();
  }
}
