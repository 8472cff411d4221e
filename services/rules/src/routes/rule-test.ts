/**
 * `POST /rules/test` (README, Rules): which rule a request would match and why, with the
 * normalized path, cache key and TTL a gateway would use. Runs the gateways' own code
 * (RuleFollower's RuleIndex, canonicalPath, buildCacheKey) on the rules as followed from
 * the stream; nothing is read or rebuilt per call (issue 9 #9). A call waits (bounded) until
 * the feed holds every event stored when it arrived, so a test right after a PUT sees it.
 * The key is built as the gateways build it: with their cacheConfiguration.<env>.json when the
 * service has it (routing and key configs), unless the call sends its own `cacheKey`.
 */
import {
  buildCacheKey,
  cacheKeyConfigSchema,
  cacheOfRequest,
  compileCacheKeyConfig,
  CairnError,
  canonicalPath,
  queryOf,
  trimTrailingSlash,
  ruleTestRequestSchema,
  streamNames,
  type RuleFollower,
  validateInput,
  ValidationError,
  type CacheConfiguration,
  type CacheKeySource,
  type CacheName,
  type CacheKeyConfig,
  type RuleMatch,
  type RuleTestRequest,
  type RuleTestResult,
} from '@cairn/shared';
import type { FastifyRequest } from 'fastify';
import type { NatsConnection } from 'nats';

/** Verdicts listed at most; the rest are left out (10,000 rules would make a 1 MB answer). */
export const MAX_EXPLAINED_CANDIDATES = 100;
const CATCH_UP_WAIT_MS = 5000;
const CATCH_UP_POLL_MS = 5;

const PATH_ONLY = compileCacheKeyConfig(cacheKeyConfigSchema.parse({}));

/** The request target a gateway would see: origin-form path and query. */
function requestTarget(url: string): string {
  if (url.startsWith('/')) return url;
  const parsed = new URL(url);
  return `${parsed.pathname}${parsed.search}`;
}

function describeMatch({ rule, ttl, pattern }: RuleMatch): NonNullable<RuleTestResult['match']> {
  return {
    ruleId: rule.id,
    pattern,
    ttl: rule.ttl,
    ...(ttl.kind === 'duration' ? { ttlSeconds: ttl.seconds } : {}),
    cacheable: ttl.kind !== 'no_cache',
    priority: rule.priority ?? 0,
    ...(rule.groupCode === undefined ? {} : { groupCode: rule.groupCode }),
    ...(rule.staleWhileRevalidate === undefined ? {} : { staleWhileRevalidate: rule.staleWhileRevalidate }),
    ...(rule.staleIfError === undefined ? {} : { staleIfError: rule.staleIfError }),
    ...(rule.refreshAhead === undefined ? {} : { refreshAhead: rule.refreshAhead }),
  };
}

/** Waits until the follower has applied every rule event the stream held on arrival. */
async function caughtUp(nc: NatsConnection, followed: RuleFollower): Promise<void> {
  const jsm = await nc.jetstreamManager();
  const { state } = await jsm.streams.info(streamNames.rules);
  // A purged stream keeps its last_seq but holds no message to deliver at it.
  const target = state.messages === 0 ? 0 : state.last_seq;
  const deadline = performance.now() + CATCH_UP_WAIT_MS;
  // Bounded by the deadline.
  while (!followed.follower.isCaughtUp || followed.follower.lastSeq < target) {
    if (performance.now() > deadline) throw new CairnError('CAIRN_NOT_CAUGHT_UP', 'the rules feed has not caught up with the stream yet', { status: 503 });
    await new Promise((resolve) => setTimeout(resolve, CATCH_UP_POLL_MS));
  }
}

interface KeyChoice {
  keyConfig: CacheKeyConfig;
  cacheKeyFrom: CacheKeySource;
}

/** The gateways' compiled key configs per cache; undefined without a cache configuration. */
function gatewayKeyConfigs(configuration: CacheConfiguration | undefined): Partial<Record<CacheName, CacheKeyConfig>> | undefined {
  if (configuration === undefined) return undefined;
  return {
    page: compileCacheKeyConfig(configuration.defaultCacheKey),
    ...(configuration.apiCacheKey === undefined ? {} : { api: compileCacheKeyConfig(configuration.apiCacheKey) }),
  };
}

/** The call's own key config wins; then the gateways'; without a configuration, the path alone (as before the file was read). */
function keyChoice(input: RuleTestRequest, cache: CacheName, gateway: Partial<Record<CacheName, CacheKeyConfig>> | undefined): KeyChoice {
  if (input.cacheKey !== undefined) return { keyConfig: compileCacheKeyConfig(input.cacheKey), cacheKeyFrom: 'request' };
  if (gateway === undefined) return { keyConfig: PATH_ONLY, cacheKeyFrom: 'path-only' };
  const keyConfig = gateway[cache];
  // Without an apiOrigin no gateway has an API cache: a key for it would describe nothing.
  if (keyConfig === undefined) throw new ValidationError('cache', 'cache: the gateways\' cache configuration has no API cache (no apiOrigin); send cacheKey to build one anyway');
  return { keyConfig, cacheKeyFrom: 'cacheConfiguration' };
}

export function ruleTestHandler(nc: NatsConnection, followed: RuleFollower, configuration: CacheConfiguration | undefined) {
  const gateway = gatewayKeyConfigs(configuration);
  return async (request: FastifyRequest): Promise<RuleTestResult> => {
    const input = validateInput(ruleTestRequestSchema, request.body);
    await caughtUp(nc, followed);
    const target = requestTarget(input.url);
    const headers = Object.fromEntries(Object.entries(input.headers).map(([name, value]) => [name.toLowerCase(), value]));
    const matchRequest = { headers, query: queryOf(target) };
    const index = followed.index;
    const canonical = canonicalPath(target);
    const path = trimTrailingSlash(canonical);
    const match = index.match(path, matchRequest);
    const cache = input.cache ?? (configuration === undefined ? 'page' : cacheOfRequest(configuration, canonical, headers));
    const { keyConfig, cacheKeyFrom } = keyChoice(input, cache, gateway);
    return {
      normalizedPath: path,
      cache,
      cacheKey: buildCacheKey(cache, { url: target, headers }, keyConfig, canonical),
      cacheKeyFrom,
      match: match === undefined ? null : describeMatch(match),
      candidates: index.explain(path, matchRequest, MAX_EXPLAINED_CANDIDATES),
    };
  };
}
