/** The admin listener on ADMIN_PORT: `/health`, `/ready`, `/metrics`. */
import { createHttpServer, registerServiceEndpoints, type Readiness } from '@cairn/shared';
import type { FastifyInstance } from 'fastify';
import type { GatewayContext } from './context.js';

export function createAdminServer(context: GatewayContext, readiness: () => Readiness): FastifyInstance {
  const app = createHttpServer(context.logger.child({ component: 'admin' }));
  registerServiceEndpoints(app, { registry: context.metrics.registry, readiness });
  return app;
}
