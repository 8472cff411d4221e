/**
 * The proxy listener on PORT: hands every request, any method, to the request flow.
 * Bodies are not parsed: an unsafe method's body streams to the origin as it arrives.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createHttpServer } from '@cairn/shared';
import type { FastifyInstance } from 'fastify';
import type { GatewayEnv } from './config.js';
import type { GatewayContext } from './context.js';
import { originErrorReason } from './errors.js';
import { Exchange } from './flow/exchange.js';
import { handleRequest } from './flow/request-flow.js';

export function createProxyServer(context: GatewayContext): FastifyInstance {
  const app = createHttpServer(context.logger.child({ component: 'proxy' }));
  applyClientTimeouts(app.server, context.env);
  // `Expect: 100-continue`: node would answer 100 at once; the gateway answers it when it
  // starts forwarding the body (RFC 9110 §10.1.1, as nginx and Varnish do), so a request
  // refused first is never sent. Other expectations get node's 417.
  const awaitingContinue = new WeakSet<IncomingMessage>();
  app.server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    awaitingContinue.add(req);
    app.server.emit('request', req, res);
  });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, _payload, done) => done(null));
  app.addHook('onError', async (_request, _reply, err) => {
    const reason = originErrorReason(err);
    if (reason !== undefined) context.metrics.originErrors.inc({ reason });
  });
  app.all('*', (request, reply) => {
    const exchange = new Exchange(request.method, request.url, request.headers, request.raw, Date.now());
    exchange.response = reply.raw;
    if (request.headers.expect !== undefined && awaitingContinue.has(request.raw)) exchange.sendContinue = () => reply.raw.writeContinue();
    return handleRequest(exchange, context, reply);
  });
  return app;
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
