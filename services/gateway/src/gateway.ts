/**
 * Builds a gateway from its config and runs it: store → NATS → admin listener → (the streams
 * it reads exist) → feeds → (feeds caught up) → proxy listener. The proxy opens only after both feeds
 * have replayed, so no hit is served before the invalidations issued while it was down.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { awaitStreams, connectNats, createAuthenticator, createLogger, ensureDirectory, listenFailure, streamNames, streamOptionsOf, type Logger, type Readiness } from '@cairn/shared';
import { createAdminServer } from './admin-server.js';
import type { GatewayConfig } from './config.js';
import { buildRoutes, type GatewayContext } from './context.js';
import { InvalidationFeed } from './control/invalidation-feed.js';
import { InvalidationRequester } from './control/invalidation-requester.js';
import { gatewayReadiness } from './control/readiness.js';
import { RuleFeed } from './control/rule-feed.js';
import { createGatewayMetrics } from './metrics.js';
import { FeedHealth } from './control/feed-health.js';
import { GatewayPresence } from './control/presence.js';
import { Sweeper } from './control/sweeper.js';
import { FillRegistry } from './flow/fill-registry.js';
import { ActiveFills } from './control/active-fills.js';
import { FillReplication } from './control/fill-replication.js';
import { OriginPushes } from './control/origin-push.js';
import { RefreshRunner } from './control/refresh-runner.js';
import { WarmRequests } from './control/warm-requests.js';
import { createProxyServer } from './proxy-server.js';
import { notCopiedOnHit } from './flow/hit-fields.js';
import { withheldTargetedNames } from './http/targeted-cache-control.js';
import { LmdbStore } from './store/lmdb-store.js';
import { storeEvents } from './store/store-events.js';
import type { WorkerLink } from './cluster/worker-link.js';
import { AccessLog, type AccessLogDestination } from './access-log.js';
import { RequestIdSource } from './http/request-id.js';

/** How long close lets responses in flight finish before it cuts their connections. */
const CLOSE_GRACE_MS = 10_000;
/** At most this long at startup for the server to confirm the gateway's subscriptions. */
const SUBSCRIPTIONS_FLUSH_MS = 1_000;

export interface Gateway {
  id: string;
  url: string;
  adminUrl: string;
  /** Re-reads USERS_FILE and forgets cached credentials (a no-op with AUTH_REQUIRED=false). */
  reloadUsers(): void;
  close(): Promise<void>;
}

/**
 * `worker`: this process is one of a node's workers (WORKERS > 1, cluster/primary.ts). The
 * primary then serves ADMIN_PORT and the node's presence; the worker reports to it, asks it
 * for fill leases, and takes the store duties (sweep, reindex, deletions) only if told to.
 */
export async function startGateway(
  config: GatewayConfig,
  logger: Logger = createLogger('gateway', config.env.LOG_LEVEL),
  worker?: WorkerLink,
  /** Where ACCESS_LOG lines go: stdout unless a test collects them. */
  accessLogDestination?: AccessLogDestination,
): Promise<Gateway> {
  const { env } = config;
  const log = logger.child({ gatewayId: env.GATEWAY_ID, ...(worker === undefined ? {} : { worker: worker.index }) });
  const storeDuties = worker?.storeDuties ?? true;
  ensureDirectory('DATA_DIR', env.DATA_DIR);
  const metrics = createGatewayMetrics();
  worker?.serveMetrics(metrics.registry);
  // Before the store and NATS: a missing or bad USERS_FILE stops startup with its one line.
  const auth = createAuthenticator(env, { failed: (reason) => metrics.authFailures.inc({ reason }), refused: () => metrics.authRefused.inc() });
  // MEMORY_CACHE_BYTES bounds the whole node: each of its WORKERS workers holds its share.
  const memoryBytes = worker === undefined ? env.MEMORY_CACHE_BYTES : Math.floor(env.MEMORY_CACHE_BYTES / env.WORKERS);
  const store = new LmdbStore(env.DATA_DIR, { events: storeEvents(metrics, log.child({ component: 'store' })), maxBytes: env.CACHE_MAX_BYTES, memoryBytes });
  metrics.probes.store = () => store.bound;
  metrics.probes.memory = () => store.memory;
  if (worker !== undefined) worker.tailRemovals = () => store.tailRemovals();
  // A gateway owns no stream (README, NATS permissions): it waits for the ones it reads.
  const nats = await connectNats(env, `cairn-gateway-${env.GATEWAY_ID}`, log, { ownStreams: [] });
  const readStreams = [streamNames.rules, streamNames.invalidations];
  let streamsMissing: string[] = [];

  const rules = new RuleFeed(nats.nc, metrics, log.child({ component: 'rule-feed' }));
  const invalidations = new InvalidationFeed(nats.nc, store, metrics, log.child({ component: 'invalidation-feed' }), storeDuties);
  const { cacheTagsHeader, exposeCacheTagsHeader } = config.cache;
  const withheldFields: ReadonlySet<string> = new Set([
    ...withheldTargetedNames(env.FORWARD_CDN_CACHE_CONTROL),
    // Stored for its tags only, as CDNs keep Surrogate-Key and Cache-Tag to themselves.
    ...(cacheTagsHeader !== undefined && !exposeCacheTagsHeader ? [cacheTagsHeader] : []),
  ]);
  const context: GatewayContext = {
    env,
    cacheConfig: config.cache,
    routes: buildRoutes(config, metrics),
    reservedPaths: new Set(env.RESERVED_PATHS),
    store,
    rules,
    invalidations,
    fills: new FillRegistry(env.HIT_FOR_MISS_MS),
    workerLink: worker,
    feedHealth: new FeedHealth(nats.nc, invalidations.follower, env.INVALIDATION_FEED_GRACE_MS, log.child({ component: 'feed-health' })),
    metrics,
    logger: log,
    invalidationRequests: new InvalidationRequester(nats.nc),
    auth,
    replication: env.FILL_REPLICATION ? new FillReplication(nats.nc, env.GATEWAY_ID, log.child({ component: 'fill-replication' })) : undefined,
    requestIds: new RequestIdSource(),
    accessLog: env.ACCESS_LOG === 'off' ? undefined : new AccessLog(env.ACCESS_LOG, accessLogDestination),
    withheldFields,
    notCopiedOnHit: notCopiedOnHit(withheldFields),
  };

  context.feedHealth.start();
  metrics.probes.feedLost = () => context.feedHealth.lost(Date.now());
  metrics.probes.invalidationLag = () => invalidations.follower.lag;
  const readiness = () => {
    const ready = gatewayReadiness(nats.isConnected(), rules, invalidations, context.feedHealth, store);
    return streamsMissing.length === 0 ? ready : { ...ready, streamsMissing };
  };
  const admin = worker === undefined ? createAdminServer(context, readiness) : undefined;
  const adminUrl =
    admin === undefined
      ? ''
      : await admin.listen({ port: env.ADMIN_PORT, host: env.ADMIN_HOST }).catch((err: unknown) => {
          throw listenFailure(err, 'ADMIN_PORT', env.ADMIN_HOST, env.ADMIN_PORT);
        });
  // A worker is ready for its primary once its proxy listens, not merely once its feeds caught up.
  let serving = false;
  let url = '';
  worker?.start(() => ({ readiness: workerReadiness(readiness(), serving), appliedSeq: invalidations.appliedSeq, feedLost: context.feedHealth.lost(Date.now()), url, lookups: metrics.lookups() }));
  await awaitStreams(await nats.nc.jetstreamManager(), streamOptionsOf(env), readStreams, log, {
    onMissing: (missing) => {
      streamsMissing = missing;
      for (const stream of readStreams) metrics.streamsMissing.set({ stream }, missing.includes(stream) ? 1 : 0);
    },
  });
  const replayStarted = performance.now();
  await Promise.all([rules.follower.start(), invalidations.follower.start()]);
  await Promise.all([rules.follower.caughtUp, invalidations.follower.caughtUp]);
  log.info({ durationMs: Math.round(performance.now() - replayStarted), rules: rules.ruleCount, appliedSeq: invalidations.appliedSeq }, 'feeds caught up');

  // Active caching (README): peers' fills, origin pushes, warming and refresh requests, all
  // judged by the invalidation map, so only once the feeds have caught up.
  const activeFills = new ActiveFills(context);
  const warming = new WarmRequests(nats.nc, env.GATEWAY_ID, log.child({ component: 'warm-requests' }));
  const pushes = new OriginPushes(nats.nc, env.GATEWAY_ID, log.child({ component: 'origin-push' }));
  context.replication?.start(context, (warmId, meta) => warming.storedReplica(warmId, meta));
  warming.start(context, activeFills);
  pushes.start(context);
  // The server has these subscriptions before the gateway is announced (heartbeats): a warm
  // or push sent to a gateway just listed live reaches it. Bounded: NATS may be down now.
  await Promise.race([nats.nc.flush(), sleep(SUBSCRIPTIONS_FLUSH_MS)]).catch((err: unknown) => log.warn({ err }, 'flushing the active-caching subscriptions failed'));
  if (storeDuties) {
    // One worker of a node fetches a refresh's entries again: they are the node's, in the shared store.
    const refreshes = new RefreshRunner(store, activeFills, log.child({ component: 'refresh-runner' }));
    invalidations.onRefresh = (event, seq) => {
      if (event.refreshBy === env.GATEWAY_ID) refreshes.run(event, seq).catch((err: unknown) => log.error({ err, seq }, 'refresh run failed'));
    };
  }

  const proxy = createProxyServer(context);
  url = await proxy.listen(env.PORT, env.HOST).catch((err: unknown) => {
    throw listenFailure(err, 'PORT', env.HOST, env.PORT);
  });
  serving = true;
  // A node's `listening` line, with both URLs, is its primary's once every worker serves.
  log.info({ url, adminUrl }, worker === undefined ? 'listening' : 'worker listening');
  // Announced only once serving: the invalidation service waits for live gateways' acks.
  // A worker's acks go to its primary, which acks for the node once every worker applied.
  const presence =
    worker === undefined
      ? new GatewayPresence(
          nats.nc,
          env.GATEWAY_ID,
          () => ({ appliedSeq: invalidations.appliedSeq, mode: context.feedHealth.lost(Date.now()) ? 'feed-lost' : 'normal', lookups: metrics.lookups() }),
          log.child({ component: 'presence' }),
        )
      : undefined;
  invalidations.onApplied = (eventId, seq, deleted) => (presence === undefined ? worker?.applied(eventId, seq, deleted) : presence.ack(eventId, seq, deleted));
  presence?.start();
  if (storeDuties && store.indexOutdated) {
    // A store from before the current index key format: its long keys' index values are
    // added in the background (failures are counted by the store's write health).
    void store.reindex().then((entries) => log.info({ entries }, 'store reindexed'));
  }
  if (store.layoutOutdated) {
    // A store from before #13 holds whole entries (read as they are meanwhile): split into
    // heads and bodies in the background, so the sweep and eviction stop reading bodies.
    log.info('store entries in the layout before #13: migrating in the background');
    void store.migrate().then((entries) => log.info({ entries }, 'store migrated'));
  }
  const sweeper = new Sweeper(store, invalidations, rules, metrics, log.child({ component: 'sweeper' }));
  if (storeDuties) sweeper.start(env.SWEEP_INTERVAL_MS);

  return {
    id: env.GATEWAY_ID,
    url,
    adminUrl,
    reloadUsers: () => auth?.reload(),
    async close() {
      presence?.stop();
      worker?.stop();
      context.replication?.stop();
      warming.stop();
      pushes.stop();
      await sweeper.stop();
      // Responses still streaming when close begins end later on keep-alive connections,
      // which node closes only if idle when asked: ask until the last one is done, and cut
      // the rest after a grace period (a client that never reads would hold close forever).
      const closeIdle = setInterval(() => proxy.server.closeIdleConnections(), 50);
      const cut = setTimeout(() => proxy.server.closeAllConnections(), CLOSE_GRACE_MS);
      await proxy.close().finally(() => {
        clearInterval(closeIdle);
        clearTimeout(cut);
      });
      await admin?.close();
      await rules.follower.stop();
      await invalidations.follower.stop();
      await nats.nc.drain();
      await Promise.all([context.routes.page.origin.close(), context.routes.api?.origin.close()]);
      await store.close();
    },
  };
}

function workerReadiness(readiness: Readiness, serving: boolean): Readiness {
  return serving ? readiness : { ...readiness, ready: false, serving };
}
