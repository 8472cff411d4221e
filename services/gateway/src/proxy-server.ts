/**
 * The proxy listener on PORT: a plain node:http server (the REST ports keep fastify) that
 * hands every request, any method node's parser accepts, to the request flow, and marks
 * every answer it makes itself (errors included) as the flow's are. Bodies are not
 * parsed: an unsafe method's body streams to the origin as it arrives. Nothing is
 * allocated per request beyond the exchange, its reply and the flow's promise; the log
 * is the gateway's logger, written to only when something is logged (issue 13).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { GatewayEnv } from './config.js';
import type { GatewayContext } from './context.js';
import { MalformedTargetError } from './errors.js';
import { deliverError, rawErrorAnswer } from './flow/deliver.js';
import { clientErrorAnswer } from './flow/error-answer.js';
import { Exchange } from './flow/exchange.js';
import { Reply, type BodyFailure, type ReplyEnd } from './flow/reply.js';
import { handleRequest } from './flow/request-flow.js';
import { hasMalformedPathEscape } from './http/percent-encoding.js';
import { REQUEST_ID_HEADER } from './http/request-id.js';

export interface ProxyServer {
  readonly server: Server;
  /** Resolves with the URL it listens on (`http://host:port`). */
  listen(port: number, host: string): Promise<string>;
  /** Stops accepting; resolves once every connection has closed. Answers still in flight end with `Connection: close`. */
  close(): Promise<void>;
}

export function createProxyServer(context: GatewayContext): ProxyServer {
  const log = context.logger.child({ component: 'proxy' });
  let closing = false;

  /** An answer that cannot be given any more (its head went out): the response is cut, never given a second head. */
  const cut = (reply: Reply, err: unknown, exchange: Exchange | undefined): void => {
    reply.raw.destroy();
    reply.ended(true);
    const code = (err as { code?: unknown } | null)?.code;
    if (code === 'ERR_STREAM_PREMATURE_CLOSE') log.debug({ url: reply.url, key: exchange?.key }, 'response closed before its body ended');
    else log.warn({ err, url: reply.url, method: exchange?.method, key: exchange?.key }, 'response cut: failed after its head was sent');
  };
  const answerError = (exchange: Exchange | undefined, reply: Reply, err: unknown): void => {
    if (reply.started || reply.raw.destroyed) return cut(reply, err, exchange);
    try {
      deliverError(exchange, context, reply, err);
    } catch (failed) {
      cut(reply, failed, exchange);
    }
  };
  // A streamed origin body that fails before its first byte is answered as the error it is.
  const bodyFailed: BodyFailure = (reply, err) => answerError(undefined, reply, err);

  // Every answer, once it ended: its latency observed, and its access log line (issue 15).
  const accessLog = context.accessLog;
  const latency = context.metrics.clientLatencySeconds;
  const end: ReplyEnd = {
    countsBytes: accessLog !== undefined,
    ended(reply, aborted) {
      const latencyMs = performance.now() - reply.arrivedAt;
      const exchange = reply.exchange;
      const cache = exchange?.route?.cache ?? 'page';
      const outcome = reply.errorOutcome ?? exchange?.outcome ?? 'PASS';
      latency.observe(cache, outcome, latencyMs / 1000);
      accessLog?.write(reply, outcome, cache, latencyMs, aborted);
    },
  };

  // `Expect: 100-continue`: node would answer 100 at once; the gateway answers it when it
  // starts forwarding the body (RFC 9110 §10.1.1, as nginx and Varnish do), so a request
  // refused first is never sent. Other expectations get node's 417.
  const awaitingContinue = new WeakSet<IncomingMessage>();

  const proxy = (req: IncomingMessage, res: ServerResponse): void => {
    // Close begun: this answer is the connection's last, so close is not held by a busy keep-alive client.
    if (closing) res.shouldKeepAlive = false;
    const reply = new Reply(res, bodyFailed, end);
    const url = req.url ?? '';
    let exchange: Exchange | undefined;
    let answered: Reply | Promise<Reply>;
    // Errors are answered here, where the exchange says what the gateway had decided.
    try {
      exchange = new Exchange(req.method ?? '', url, req.headers, req, Date.now(), req.socket.remoteAddress ?? '');
      reply.exchange = exchange;
      // Made only when the log shows it or a refused client id must be replaced; an origin request makes its own (flow/fetch.ts).
      if (exchange.requestId === '' && (accessLog !== undefined || req.headers[REQUEST_ID_HEADER] !== undefined)) exchange.requestId = context.requestIds.next();
      // What fastify's router refused before the flow saw it; recv refuses the other bad targets.
      if (hasMalformedPathEscape(url)) throw new MalformedTargetError(url);
      exchange.response = res;
      if (req.headers.expect !== undefined && awaitingContinue.has(req)) exchange.sendContinue = () => res.writeContinue();
      answered = handleRequest(exchange, context, reply);
    } catch (err) {
      answerError(exchange, reply, err);
      return;
    }
    if (answered instanceof Promise) {
      const waited = exchange;
      answered.catch((err: unknown) => answerError(waited, reply, err));
    }
  };

  const server = createServer(proxy);
  applyClientTimeouts(server, context.env);
  server.on('clientError', (err: Error & { code?: string }, socket: Duplex) => answerClientError(context, err, socket));
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    awaitingContinue.add(req);
    proxy(req, res);
  });
  // CONNECT asks for a tunnel, which a gateway in front of its origins does not open (node
  // emits it apart from requests): 501, as for a method it does not implement.
  server.on('connect', (_req: IncomingMessage, socket: Duplex) => {
    const { body } = clientErrorAnswer('HPE_INVALID_METHOD');
    socket.end(rawErrorAnswer(context, 501, body, 'method-not-implemented'));
  });

  return {
    server,
    listen: (port, host) =>
      new Promise<string>((resolve, reject) => {
        const failed = (err: Error) => reject(err);
        server.once('error', failed);
        server.listen(port, host, () => {
          server.off('error', failed);
          const { address, port: bound } = server.address() as AddressInfo;
          resolve(`http://${address.includes(':') ? `[${address}]` : address}:${bound}`);
        });
      }),
    close: () =>
      new Promise<void>((resolve, reject) => {
        closing = true;
        server.close((err) => (err === undefined ? resolve() : reject(err)));
      }),
  };
}

/**
 * A request node's parser refused (an unknown method, a malformed or too large header, a
 * request that did not arrive in time): answered on the socket, marked and counted like
 * the others, then the connection closes. As node's own answer, only on a connection that
 * has sent nothing yet: bytes of an earlier answer may still be on their way.
 */
function answerClientError(context: GatewayContext, err: Error & { code?: string }, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const { status, body, reason } = clientErrorAnswer(err.code);
  if (socket.writable && (socket as Socket).bytesWritten === 0) socket.write(rawErrorAnswer(context, status, body, reason));
  socket.destroy(err);
}

/**
 * Bounds on what a client connection may hold without sending (README, Gateway configuration defaults as
 * nginx's client_header_timeout / keepalive_timeout): a connection that sends nothing, or
 * trickles its header a byte at a time (slowloris), gets 408 and is closed once
 * CLIENT_HEADER_TIMEOUT_MS passes; a whole request must arrive within
 * CLIENT_REQUEST_TIMEOUT_MS; an idle keep-alive connection closes after
 * CLIENT_KEEPALIVE_TIMEOUT_MS. Node checks the first two on an interval, so the interval
 * is a fraction of the header bound (at most node's 30 s default).
 */
function applyClientTimeouts(server: Server, env: GatewayEnv): void {
  server.headersTimeout = env.CLIENT_HEADER_TIMEOUT_MS;
  server.requestTimeout = env.CLIENT_REQUEST_TIMEOUT_MS;
  server.keepAliveTimeout = env.CLIENT_KEEPALIVE_TIMEOUT_MS;
  // A constructor option in node's types, but read when the server starts listening.
  (server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval = Math.min(30_000, Math.max(10, Math.floor(env.CLIENT_HEADER_TIMEOUT_MS / 10)));
}
