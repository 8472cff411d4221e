/** The rules service: fastify REST over the rule repository, started and stopped as one unit. */
import { connectNats, createLogger, createHttpServer, registerServiceEndpoints, RuleFollower, streamNames, type Logger } from '@cairn/shared';
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
  close(): Promise<void>;
}

export async function startRulesService(config: RulesConfig, logger: Logger = createLogger('rules', config.LOG_LEVEL)): Promise<RulesService> {
  const nats = await connectNats(config, 'cairn-rules', logger, { ownStreams: [streamNames.rules] });
  const metrics = createRulesMetrics();
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
  app.post('/rules/test', ruleTestHandler(nats.nc, followed));
  const document = openApiDocument();
  app.get('/docs/json', () => document);
  const url = await app.listen({ port: config.PORT, host: config.HOST });
  logger.info({ url }, 'listening');

  return {
    url,
    async close() {
      await app.close();
      await followed.stop();
      await nats.nc.drain();
    },
  };
}
