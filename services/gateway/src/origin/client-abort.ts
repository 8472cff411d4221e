/**
 * A client that goes away while its request involves the origin (#9 item 14): counted in
 * cairn_gateway_client_aborts_total, never as an origin error. For a pass the origin
 * request is abandoned with it, as nginx does (`proxy_ignore_client_abort off`): nobody is
 * left to read the answer, and its connection is freed for others. A fill is not
 * abandoned: its answer is stored and shared. Hits are not watched (they cost no origin work).
 */
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { ClientAbortedError, type ClientAbortStage } from '../errors.js';
import type { GatewayMetrics } from '../metrics.js';

/**
 * Whether the client, not the gateway, ended the connection: it sent FIN or reset it. A
 * response the gateway itself cut short (an origin body that broke off) is neither.
 */
function closedByClient(socket: Socket, response: ServerResponse): boolean {
  return !response.writableFinished && (socket.readableEnded || socket.errored !== null);
}

/**
 * Starts watching `response`. Returns a signal that aborts when the client goes away if
 * `abandon` is set. Throws ClientAbortedError when the client is already gone and the
 * request is to be abandoned.
 */
export function watchClient(response: ServerResponse, metrics: GatewayMetrics, abandon: boolean): AbortSignal | undefined {
  // A background refresh after a stale answer: that client already has its whole answer.
  if (response.writableFinished) return undefined;
  const socket = response.socket;
  const stage = (): ClientAbortStage => (response.req.complete ? 'response' : 'request');
  if (socket === null || socket.destroyed) {
    metrics.clientAborts.inc({ stage: stage() });
    if (abandon) throw new ClientAbortedError(stage());
    return undefined;
  }
  const controller = abandon ? new AbortController() : undefined;
  response.once('close', () => {
    if (!closedByClient(socket, response)) return;
    const at = stage();
    metrics.clientAborts.inc({ stage: at });
    controller?.abort(new ClientAbortedError(at));
  });
  return controller?.signal;
}
