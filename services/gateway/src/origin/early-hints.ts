/**
 * `103 Early Hints` from the origin (RFC 8297), passed on to the one client whose request
 * the origin is answering, while its final answer has not started. Never stored, never
 * sent to a waiter or on a hit: hints belong to the origin's answer in progress.
 */
import type { ServerResponse } from 'node:http';
import type { GatewayMetrics } from '../metrics.js';
import type { Logger } from '@cairn/shared';
import { isGatewayOwned } from '../http/gateway-headers.js';
import { responseHeaders } from './forward-headers.js';

export interface OriginInfo {
  statusCode: number;
  headers: Record<string, string | string[]>;
}

/** The origin's informational answer handler for `response`'s client. */
export function relayEarlyHints(response: ServerResponse, metrics: GatewayMetrics, logger: Logger): (info: OriginInfo) => void {
  return ({ statusCode, headers }) => {
    // RFC 9110 §15.2: no 1xx to an HTTP/1.0 client; none once the final answer has begun.
    if (statusCode !== 103 || response.headersSent || response.writableEnded || response.req.httpVersion === '1.0') return;
    const hints = responseHeaders(headers);
    if (hints.link === undefined) return;
    // The gateway's own fields are its word alone, in a hint too (http/gateway-headers.ts).
    for (const name in hints) if (isGatewayOwned(name, false)) delete hints[name];
    try {
      response.writeEarlyHints(hints);
      metrics.earlyHints.inc({ result: 'relayed' });
    } catch (err) {
      // Node refuses a Link it cannot validate (one line with several links, say): the hint is dropped, the answer goes on.
      metrics.earlyHints.inc({ result: 'dropped' });
      logger.debug({ err }, 'early hints dropped');
    }
  };
}
