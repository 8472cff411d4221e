/**
 * The proxy listener on PORT: hands every request, any method node's parser accepts, to the
 * request flow, and marks every answer it makes itself (errors included) as the flow's are.
 * Bodies are not parsed: an unsafe method's body streams to the origin as it arrives.
 */
import { METHODS, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { createHttpServer } from '@cairn/shared';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { GatewayEnv } from './config.js';
import type { GatewayContext } from './context.js';
import { deliverError, rawErrorAnswer } from './flow/deliver.js';
import { clientErrorAnswer } from './flow/error-answer.js';
import { Exchange } from './flow/exchange.js';
import { handleRequest } from './flow/request-flow.js';

export function createProxyServer(context: GatewayContext): FastifyInstance {
  const answerError = (err: unknown, _request: FastifyRequest, reply: FastifyReply) => deliverError(undefined, context, reply, err);
  const app = createHttpServer(context.logger.child({ component: 'proxy' }), {
    errorHandler: answerError,
    frameworkErrors: answerError,
    clientErrorHandler: (err, socket) => answerClientError(context, err, socket),
  });
  applyClientTimeouts(app.server, context.env);
  // Every method node's parser knows is proxied (extension methods too: PROPFIND, REPORT,
  // M-SEARCH, PURGE …). Fastify is told none has a body for it to parse: the gateway never
  // parses one, so fastify never refuses a Content-Type it dislikes (415) or a QUERY
  // without one (400); the origin judges the body, which streams from the raw request.
  for (const method of METHODS) if (method !== 'CONNECT') app.addHttpMethod(method, { hasBody: false, overrideExisting: true });
  // CONNECT asks for a tunnel, which a gateway in front of its origins does not open (node
  // emits it apart from requests): 501, as for a method it does not implement.
  app.server.on('connect', (_req: IncomingMessage, socket: Duplex) => {
    const { body } = clientErrorAnswer('HPE_INVALID_METHOD');
    socket.end(rawErrorAnswer(context, 501, body, 'method-not-implemented'));
  });
  // `Expect: 100-continue`: node would answer 100 at once; the gateway answers it when it
  // starts forwarding the body (RFC 9110 §10.1.1, as nginx and Varnish do), so a request
  // refused first is never sent. Other expectations get node's 417.
  const awaitingContinue = new WeakSet<IncomingMessage>();
  app.server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    awaitingContinue.add(req);
    app.server.emit('request', req, res);
  });
  // Should fastify ever take a method to have a body, nothing reads it before the origin does.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, _payload, done) => done(null));
  const proxy = (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const exchange = new Exchange(request.method, request.url, request.headers, request.raw, Date.now(), request.raw.socket.remoteAddress ?? '');
    exchange.response = reply.raw;
    if (request.headers.expect !== undefined && awaitingContinue.has(request.raw)) exchange.sendContinue = () => reply.raw.writeContinue();
    // Errors are answered here, where the exchange says what the gateway had decided.
    return handleRequest(exchange, context, reply).catch((err: unknown) => deliverError(exchange, context, reply, err));
  };
  app.all('*', proxy);
  // A target the router does not match (`*`, absolute-form) still goes to recv, which refuses it with 400.
  app.setNotFoundHandler(proxy);
  return app;
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
