/**
 * GatewayContext: everything a request stage needs, built once in `gateway.ts`. No
 * module-level state, so a test can run several gateways in one process.
 */
import { compileCacheKeyConfig, type Authenticator, type CacheKeyConfig, type CacheName, type Logger } from '@cairn/shared';
import type { CacheConfiguration, GatewayConfig, GatewayEnv } from './config.js';
import type { InvalidationFeed } from './control/invalidation-feed.js';
import type { InvalidationRequester } from './control/invalidation-requester.js';
import type { RuleFeed } from './control/rule-feed.js';
import type { GatewayMetrics } from './metrics.js';
import type { FeedHealth } from './control/feed-health.js';
import type { FillRegistry } from './flow/fill-registry.js';
import type { FillReplication } from './control/fill-replication.js';
import type { WorkerLink } from './cluster/worker-link.js';
import { OriginPool, slotMetrics, type Origin } from './origin/origin-pool.js';
import { SyntheticOrigin } from './origin/synthetic-origin.js';
import { forNormalizedPath } from './origin/upstream-target.js';
import type { LmdbStore } from './store/lmdb-store.js';
import type { AccessLog } from './access-log.js';
import type { RequestIdSource } from './http/request-id.js';

export interface PathReplacement {
  search: string;
  replace: string;
}

/** Where a request goes: which cache, which origin, how its key and upstream path are made. */
export interface Route {
  cache: CacheName;
  origin: Origin;
  keyConfig: CacheKeyConfig;
  /** Lowercase names of the request fields a fill forwards besides the keyed ones. */
  forwardHeaders: readonly string[];
  replacement: PathReplacement | undefined;
  /** The same for a fill's normalized (lowercased) path: its search lowercased once. */
  fillReplacement: PathReplacement | undefined;
  /** `[headerName, token]` sent to the origin in place of any client credentials. */
  originAuth: [string, string] | undefined;
}

export interface GatewayContext {
  env: GatewayEnv;
  cacheConfig: CacheConfiguration;
  routes: { page: Route; api: Route | undefined };
  reservedPaths: ReadonlySet<string>;
  store: LmdbStore;
  rules: RuleFeed;
  invalidations: InvalidationFeed;
  /** Whether the invalidation feed has been lost for longer than its grace period. */
  feedHealth: FeedHealth;
  /** Fills in flight (coalescing) and hit-for-miss marks. */
  fills: FillRegistry;
  /** With WORKERS > 1: the primary's fill leases (coalescing across workers); undefined in a single process. */
  workerLink: WorkerLink | undefined;
  metrics: GatewayMetrics;
  logger: Logger;
  /** Fleet-wide invalidations the gateway asks for (PURGE). */
  invalidationRequests: InvalidationRequester;
  /** Basic auth against USERS_FILE; undefined with AUTH_REQUIRED=false. */
  auth: Authenticator | undefined;
  /** Offers stored fills to the peers (README, Active caching); undefined with FILL_REPLICATION=false. */
  replication: FillReplication | undefined;
  /** Makes X-Request-Id values for requests that need one and brought none (http/request-id.ts). */
  requestIds: RequestIdSource;
  /** One line per answer (ACCESS_LOG); undefined when off. */
  accessLog: AccessLog | undefined;
  /**
   * Response fields clients never get from this gateway, whether from the origin or the store
   * (an entry stored under other settings may hold them): targeted Cache-Control addressed to
   * it (RFC 9213, `withheldTargetedNames`) and the tag header unless exposeCacheTagsHeader.
   */
  withheldFields: ReadonlySet<string>;
  /** The stored fields a plain hit does not copy (flow/hit-fields.ts): withheldFields and those it sets. */
  notCopiedOnHit: ReadonlySet<string>;
}

export function buildRoutes({ env, cache }: GatewayConfig, metrics: GatewayMetrics): GatewayContext['routes'] {
  const origin = (url: string, name: CacheName): Origin => (env.LOAD_TEST_MODE ? new SyntheticOrigin(url) : new OriginPool(url, env, slotMetrics(metrics, name)));
  const auth = (header: string | undefined, token: string | undefined): [string, string] | undefined =>
    header !== undefined && token !== undefined ? [header, token] : undefined;
  const page: Route = {
    cache: 'page',
    origin: origin(cache.defaultOrigin, 'page'),
    keyConfig: compileCacheKeyConfig(cache.defaultCacheKey),
    forwardHeaders: cache.defaultForwardHeaders,
    replacement: cache.defaultPathReplacement || undefined,
    fillReplacement: forNormalizedPath(cache.defaultPathReplacement || undefined),
    originAuth: auth(cache.defaultOriginAuthHeader, env.DEFAULT_ORIGIN_AUTH_TOKEN),
  };
  const api: Route | undefined =
    cache.apiOrigin === undefined || cache.apiCacheKey === undefined
      ? undefined
      : {
          cache: 'api',
          origin: origin(cache.apiOrigin, 'api'),
          keyConfig: compileCacheKeyConfig(cache.apiCacheKey),
          forwardHeaders: cache.apiForwardHeaders ?? [],
          replacement: cache.apiPathReplacement || undefined,
          fillReplacement: forNormalizedPath(cache.apiPathReplacement || undefined),
          originAuth: auth(cache.apiOriginAuthHeader, env.API_ORIGIN_AUTH_TOKEN),
        };
  return { page, api };
}
