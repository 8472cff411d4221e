/**
 * LOAD_TEST_MODE's origin: every fetch is answered at once with a fixed 200 (1 KiB body,
 * `Cache-Control: max-age=60`) without a network call, so a load test measures the
 * gateway alone. Each answer names the path, so distinct keys get distinct bodies.
 */
import { Readable } from 'node:stream';
import { headers as cairnHeaders } from '@cairn/shared';
import { OriginUnavailableError } from '../errors.js';
import type { Origin, OriginFailure, OriginRequest, OriginResponse } from './origin-pool.js';

const FILLER = 'x'.repeat(1024);

export class SyntheticOrigin implements Origin {
  readonly origin: string;

  constructor(originUrl: string) {
    this.origin = new URL(originUrl).origin;
  }

  async request(request: OriginRequest): Promise<OriginResponse> {
    // Unsafe methods may carry a body; it is read and dropped like a real origin would.
    request.beforeSend?.();
    request.body?.resume();
    const body = Buffer.from(`${request.method} ${request.path}\n${FILLER}`.slice(0, 1024));
    return {
      statusCode: 200,
      headers: { 'content-type': 'text/plain; charset=utf-8', 'content-length': String(body.length), 'cache-control': 'max-age=60', [cairnHeaders.synthetic]: 'true' },
      body: Readable.from([body]),
    };
  }

  classify(err: unknown): OriginFailure {
    return new OriginUnavailableError(this.origin, err);
  }

  async close(): Promise<void> {}
}
