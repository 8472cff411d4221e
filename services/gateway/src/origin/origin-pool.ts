/**
 * One undici pool per origin with the timeouts of DESIGN.md §2, and the one place that
 * turns an undici failure into OriginTimeoutError (504) or OriginUnavailableError (502).
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { Pool, type Dispatcher } from 'undici';
import type { GatewayEnv } from '../config.js';
import { OriginTimeoutError, OriginUnavailableError, type OriginTimeoutKind } from '../errors.js';

export interface OriginRequest {
  method: string;
  /** Path and query relative to the origin's base path. */
  path: string;
  headers: Record<string, string | string[]>;
  body?: Readable | undefined;
  signal: AbortSignal;
}

export interface OriginResponse {
  statusCode: number;
  headers: IncomingHttpHeaders;
  body: Readable;
}

/** Where a route's fetches go: a real origin pool, or synthetic answers in LOAD_TEST_MODE. */
export interface Origin {
  readonly origin: string;
  request(request: OriginRequest): Promise<OriginResponse>;
  classify(err: unknown, signal: AbortSignal): OriginTimeoutError | OriginUnavailableError;
  close(): Promise<void>;
}

const TIMEOUT_CODES: Record<string, OriginTimeoutKind> = {
  UND_ERR_CONNECT_TIMEOUT: 'connect',
  UND_ERR_HEADERS_TIMEOUT: 'headers',
  UND_ERR_BODY_TIMEOUT: 'body',
};

export class OriginPool implements Origin {
  readonly origin: string;
  readonly #basePath: string;
  readonly #pool: Pool;

  constructor(originUrl: string, env: GatewayEnv) {
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
  }

  async request(request: OriginRequest): Promise<OriginResponse> {
    try {
      return await this.#pool.request({
        method: request.method as Dispatcher.HttpMethod,
        path: this.#basePath + request.path,
        headers: request.headers,
        body: request.body ?? null,
        signal: request.signal,
      });
    } catch (err) {
      throw this.classify(err, request.signal);
    }
  }

  classify(err: unknown, signal: AbortSignal): OriginTimeoutError | OriginUnavailableError {
    if (err instanceof OriginTimeoutError || err instanceof OriginUnavailableError) return err;
    if (signal.aborted) return new OriginTimeoutError(this.origin, 'deadline', err);
    const kind = TIMEOUT_CODES[(err as { code?: string }).code ?? ''];
    return kind === undefined ? new OriginUnavailableError(this.origin, err) : new OriginTimeoutError(this.origin, kind, err);
  }

  close(): Promise<void> {
    return this.#pool.close();
  }
}
