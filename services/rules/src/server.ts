/** The rules service: fastify REST over the rule repository, started and stopped as one unit. */
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
  RuleFollower,
  streamNames,
  withOpenApiDocs,
  type Logger,
  type RegisteredRoute,
} from '@cairn/shared';
import type { RulesConfig } from './config.js';
import { createRulesMetrics } from './metrics.js';
import { RuleRepository } from './rule-repository.js';
import { openApiDocument } from './openapi.js';
import { ruleTestHandler } from './routes/rule-test.js';
import { registerRuleRoutes, ruleHandlers } from './routes/rules.js';
import { bulkHandlers } from './routes/rules-bulk.js';
import { registerTtlConfigAliases } from './routes/ttl-config-aliases.js';

export interface RulesService {
  url: string;
  /** The routes it answers (the API page's own left out): `/docs/json` documents each. */
  routes: readonly RegisteredRoute[];
  /** Re-reads USERS_FILE and forgets cached credentials (a no-op with AUTH_REQUIRED=false). */
  reloadUsers(): void;
  close(): Promise<void>;
}

export async function startRulesService(config: RulesConfig, logger: Logger = createLogger('rules', config.LOG_LEVEL)): Promise<RulesService> {
  const metrics = createRulesMetrics();
  // Before NATS: a missing or bad USERS_FILE stops startup with its one line.
  const authenticator = createAuthenticator(config, {
    failed: (reason) => metrics.authFailures.inc({ reason }),
    refused: () => metrics.authRefused.inc(),
  });
  // The rules service owns CACHE_RULES (README, NATS permissions).
  const nats = await connectNats(config, 'cairn-rules', logger, { ownStreams: [streamNames.rules] });
  const repository = new RuleRepository(nats.nc, logger.child({ component: 'rule-repository' }), metrics);
  // `POST /rules/test` explains with the rules as gateways hold them: followed, not re-read per call.
  const followed = new RuleFollower({
    nc: nats.nc,
    logger: logger.child({ component: 'rule-follower' }),
    onMalformed: () => metrics.malformedMessages.inc({ stream: streamNames.rules }),
    onError: () => metrics.followerErrors.inc(),
  });
  await followed.start();

  const app = createHttpServer(logger.child({ component: 'http' }));
  const routes = recordRoutes(app);
  // POST /rules/test explains a request and changes nothing: a read.
  if (authenticator !== undefined) installAccessControl(app, authenticator, withOpenApiDocs(restAccessPolicy(new Set(['/rules/test']))));
  registerServiceEndpoints(app, {
    registry: metrics.registry,
    readiness: () => ({ ready: nats.isConnected(), nats: nats.isConnected(), rulesCaughtUp: followed.follower.isCaughtUp }),
  });
  const handlers = ruleHandlers(repository);
  registerRuleRoutes(app, handlers);
  registerTtlConfigAliases(app, handlers);
  const bulk = bulkHandlers(repository);
  app.get('/rules/export', bulk.export);
  // An export of thousands of rules is larger than the default 1 MiB body limit.
  app.post('/rules/import', { bodyLimit: 64 * 1024 * 1024 }, bulk.import);
  const { path: cacheConfigurationPath, configuration } = config.gatewayCache;
  logger.info({ path: cacheConfigurationPath }, configuration === undefined ? 'no cache configuration' : 'cache configuration loaded');
  app.post('/rules/test', ruleTestHandler(nats.nc, followed, configuration));
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
      await followed.stop();
      await nats.nc.drain();
    },
  };
}
