/**
 * The proxy listener on PORT: hands every request, any method, to the request flow.
 * Bodies are not parsed: an unsafe method's body streams to the origin as it arrives.
 */
import { createHttpServer } from '@cairn/shared';
import type { FastifyInstance } from 'fastify';
import type { GatewayContext } from './context.js';
import { originErrorReason } from './errors.js';
import { Exchange } from './flow/exchange.js';
import { handleRequest } from './flow/request-flow.js';

export function createProxyServer(context: GatewayContext): FastifyInstance {
  const app = createHttpServer(context.logger.child({ component: 'proxy' }));
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, _payload, done) => done(null));
  app.addHook('onError', async (_request, _reply, err) => {
    const reason = originErrorReason(err);
    if (reason !== undefined) context.metrics.originErrors.inc({ reason });
  });
  app.all('*', (request, reply) =>
    handleRequest(new Exchange(request.method, request.url, request.headers, request.raw, Date.now()), context, reply),
  );
  return app;
}
