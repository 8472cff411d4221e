/** The invalidation service: the command consumer, warming, and their REST endpoints, started and stopped as one unit. */
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import {
  API_DOCS_PREFIX,
  connectNats,
  createAuthenticator,
  createLogger,
  createHttpServer,
  installAccessControl,
  recordRoutes,
  registerServiceEndpoints,
  restAccessPolicy,
  streamNames,
  withOpenApiDocs,
  type Logger,
  type RegisteredRoute,
} from '@cairn/shared';
import { AckTracker } from './ack-tracker.js';
import { CommandConsumer } from './command-consumer.js';
import { refresherFrom } from './gateway-choice.js';
import { GatewayRegistry } from './gateway-registry.js';
import type { InvalidationConfig } from './config.js';
import { createInvalidationMetrics } from './metrics.js';
import { openApiDocument } from './openapi.js';
import { registerInvalidateRoute } from './routes/invalidate.js';
import { registerWarmRoutes } from './routes/warm.js';
import { DEFAULT_SITEMAP_READ } from './sitemap-reader.js';
import { WarmDispatcher } from './warm-dispatcher.js';
import { WarmJobStore } from './warm-job-store.js';

export interface InvalidationService {
  url: string;
  /** The routes it answers (the API page's own left out): `/docs/json` documents each. */
  routes: readonly RegisteredRoute[];
  /** Re-reads USERS_FILE and forgets cached credentials (a no-op with AUTH_REQUIRED=false). */
  reloadUsers(): void;
  close(): Promise<void>;
}

export async function startInvalidationService(
  config: InvalidationConfig,
  logger: Logger = createLogger('invalidation', config.LOG_LEVEL),
): Promise<InvalidationService> {
  const metrics = createInvalidationMetrics();
  // Before NATS: a missing or bad USERS_FILE stops startup with its one line.
  const authenticator = createAuthenticator(config, {
    failed: (reason) => metrics.authFailures.inc({ reason }),
    refused: () => metrics.authRefused.inc(),
  });
  // The invalidation service owns the command, event and dead-letter streams (README, NATS permissions).
  const ownStreams = [streamNames.commands, streamNames.invalidations, streamNames.deadLetters];
  const nats = await connectNats(config, 'cairn-invalidation', logger, { ownStreams });
  const gateways = new GatewayRegistry(config.GATEWAY_REGISTRY_MAX);
  gateways.start(nats.nc, metrics, logger.child({ component: 'gateway-registry' }));
  const acks = new AckTracker();
  acks.start(nats.nc, gateways, metrics, logger.child({ component: 'ack-tracker' }));
  const consumer = new CommandConsumer(nats.nc, logger.child({ component: 'command-consumer' }), metrics, {
    maxAttempts: config.COMMAND_MAX_ATTEMPTS,
    confirm: { gateways, acks, ackTimeoutMs: config.ACK_TIMEOUT_MS },
    refresher: refresherFrom(gateways),
  });
  await consumer.start();
  const warms = new WarmJobStore();
  const dispatcher = new WarmDispatcher(nats.nc, gateways, warms, metrics, logger.child({ component: 'warm-dispatcher' }), {
    concurrency: config.WARM_CONCURRENCY,
    urlTimeoutMs: config.WARM_URL_TIMEOUT_MS,
  });
  dispatcher.start();

  const app = createHttpServer(logger.child({ component: 'http' }));
  const routes = recordRoutes(app);
  if (authenticator !== undefined) installAccessControl(app, authenticator, withOpenApiDocs(restAccessPolicy()));
  registerServiceEndpoints(app, {
    registry: metrics.registry,
    readiness: () => ({ ready: nats.isConnected(), nats: nats.isConnected() }),
  });
  registerInvalidateRoute(app, { nc: nats.nc, metrics, logger: logger.child({ component: 'invalidate-route' }), gateways, acks, ackTimeoutMs: config.ACK_TIMEOUT_MS });
  registerWarmRoutes(app, { metrics, logger: logger.child({ component: 'warm-route' }), gateways, jobs: warms, dispatcher, sitemapRead: DEFAULT_SITEMAP_READ, waitMs: config.WARM_WAIT_MS });
  // Static mode: the document is written from the contract schemas, not from route schemas.
  await app.register(fastifySwagger, { mode: 'static', specification: { document: openApiDocument(config.AUTH_REQUIRED) as never } });
  await app.register(fastifySwaggerUi, { routePrefix: API_DOCS_PREFIX });
  const url = await app.listen({ port: config.PORT, host: config.HOST });
  logger.info({ url }, 'listening');

  return {
    url,
    routes,
    reloadUsers: () => authenticator?.reload(),
    async close() {
      await app.close();
      gateways.stop();
      acks.stop();
      dispatcher.stop();
      await consumer.stop();
      await nats.nc.drain();
    },
  };
}
