/**
 * The gateway's configuration (README, Gateway configuration): environment variables plus
 * `cacheConfiguration.<ENVIRONMENT>.json` from CONFIG_DIR. Any invalid value stops
 * startup with one line naming the variable or file and the field.
 */
import { availableParallelism, hostname } from 'node:os';
import { authEnvShape, booleanSchema, type CacheConfiguration, cacheConfigurationEnvShape, ConfigError, DEFAULT_FLEET_FILL_WAIT_MS, lifecycleEnvShape, loadCacheConfiguration, MAX_GATEWAY_ID_LENGTH, natsEnvShape, parseEnv, portSchema, positiveIntSchema } from '@cairn/shared';
import { z } from 'zod';
import { byteSizeSchema } from './store/byte-size.js';

/** SIGTERM keeps the proxy serving with /ready failing this long: a load balancer checking every 2 s, 2 failures to mark it down, needs ~4 s. */
const DEFAULT_DRAIN_MS = 5_000;

export const gatewayEnvSchema = z.object({
  ...natsEnvShape,
  ...lifecycleEnvShape(DEFAULT_DRAIN_MS),
  PORT: portSchema(8080),
  ADMIN_PORT: portSchema(9080),
  HOST: z.string().default('0.0.0.0'),
  /** Where ADMIN_PORT listens: loopback unless an operator opens it (README, Access control). */
  ADMIN_HOST: z.string().default('127.0.0.1'),
  /** Which cacheConfiguration.<ENVIRONMENT>.json in CONFIG_DIR (the rules service reads the same). */
  ...cacheConfigurationEnvShape,
  DATA_DIR: z.string().default('./.cairn/data'),
  /** Heartbeats and acks carry it; the invalidation service refuses longer ids. */
  GATEWAY_ID: z.string().min(1).max(MAX_GATEWAY_ID_LENGTH).default(`${hostname()}-${process.pid}`),
  REQUEST_TIMEOUT_MS: positiveIntSchema(30_000),
  MAX_CONNECTIONS: positiveIntSchema(80),
  CLIENT_TTL_MS: positiveIntSchema(300_000),
  CONNECT_TIMEOUT_MS: positiveIntSchema(10_000),
  HEADERS_TIMEOUT_MS: positiveIntSchema(30_000),
  BODY_TIMEOUT_MS: positiveIntSchema(60_000),
  /** Largest origin body the gateway stores; larger answers are passed through, not cached. */
  MAX_ENTRY_BYTES: positiveIntSchema(10 * 1024 * 1024),
  /** Variants (a Vary on forwarded headers) kept per URL key; the least recently stored go first. */
  MAX_VARIANTS_PER_KEY: positiveIntSchema(16),
  RESERVED_PATHS: z
    .string()
    .default('')
    .transform((csv) => csv.split(',').map((p) => p.trim()).filter((p) => p !== '')),
  /** Origin statuses a cacheable rule may store (206 never). */
  CACHEABLE_STATUSES: z
    .string()
    .default('200')
    .transform((csv) => csv.split(',').map((s) => s.trim()).filter((s) => s !== ''))
    .pipe(
      z
        .array(
          z
            .string()
            .regex(/^\d{3}$/, 'expected an HTTP status like 200')
            .transform(Number)
            .pipe(z.number().min(200).max(599).refine((status) => status !== 206, 'partial content (206) is never stored')),
        )
        .min(1),
    )
    .transform((statuses) => new Set(statuses)),
  /** Whether a client's no-cache / max-age / min-fresh / Pragma may send a stored response to the origin (docs/http-semantics.md, Request Cache-Control policy). */
  REQUEST_CACHE_CONTROL: z.enum(['ignore', 'honor']).default('ignore'),
  /** How often the background sweep walks the store for entries that can never be served again. */
  SWEEP_INTERVAL_MS: positiveIntSchema(60_000),
  /** After this long without the invalidation feed, every hit is revalidated with the origin. */
  INVALIDATION_FEED_GRACE_MS: positiveIntSchema(10_000),
  /** How long a key whose answer was not storable skips request coalescing (hit-for-miss). */
  HIT_FOR_MISS_MS: positiveIntSchema(30_000),
  /** Whether `x-cairn-cache-debug: true` may reveal keys and rules; with AUTH_REQUIRED only to cache_admin/super_user. */
  DEBUG_HEADERS: booleanSchema(true),
  API_ORIGIN_AUTH_TOKEN: z.string().optional(),
  DEFAULT_ORIGIN_AUTH_TOKEN: z.string().optional(),
  /** Origin fetches answered by a synthetic response (load tests of the gateway alone). */
  LOAD_TEST_MODE: booleanSchema(false),
  ...authEnvShape,
  /**
   * The store's bound (store/stored-bytes.ts): entries, their keys and index values count;
   * least-recently-used entries are evicted to stay under it. 1 GiB: a bound every gateway
   * disk has room for, rather than an unbounded default that fills the disk first.
   */
  CACHE_MAX_BYTES: byteSizeSchema('1GiB'),
  /**
   * The in-memory tier of hot entries in front of the store, for the whole gateway node
   * (each worker holds its share); 0 turns it off. 256 MiB, as Varnish's default malloc storage.
   */
  MEMORY_CACHE_BYTES: byteSizeSchema('256MiB', { allowZero: true }),
  /** Proxy worker processes sharing one store; 1 serves from the gateway's own process. */
  WORKERS: z.coerce.number({ error: 'expected a positive integer' }).int('expected a positive integer').min(1, 'expected a positive integer').max(64, 'expected at most 64').default(availableParallelism()),
  /** Origin requests that may wait for a busy origin's connection (nginx `queue N`); more are refused with 503. */
  ORIGIN_QUEUE_LIMIT: positiveIntSchema(1000),
  /** How long an origin request waits for a free connection before it is answered 504 (nginx `queue … timeout=`). */
  ORIGIN_QUEUE_TIMEOUT_MS: positiveIntSchema(2_000),
  /** A client connection must send its whole request header within this (nginx client_header_timeout 60s). */
  CLIENT_HEADER_TIMEOUT_MS: positiveIntSchema(60_000),
  /** A client must send its whole request, body included, within this (node's requestTimeout default). */
  CLIENT_REQUEST_TIMEOUT_MS: positiveIntSchema(300_000),
  /** An idle keep-alive client connection is closed after this (nginx keepalive_timeout 75s). */
  CLIENT_KEEPALIVE_TIMEOUT_MS: positiveIntSchema(75_000),
  /** Whether clients (a CDN in front) get the origin's CDN-Cache-Control (RFC 9213 §3); Cairn-Cache-Control never. */
  FORWARD_CDN_CACHE_CONTROL: booleanSchema(true),
  /** How long a PURGE waits for the invalidation service's confirmation before it is answered 504. */
  PURGE_TIMEOUT_MS: positiveIntSchema(5_000),
  /** Fill replication (README, Active caching): stored fills are offered to peers, and peers' fills stored. */
  FILL_REPLICATION: booleanSchema(true),
  /**
   * A miss on a key a peer announced it is filling waits this long at most for the peer's
   * replicated fill before asking the origin itself (fleet-wide coalescing; nginx's
   * proxy_cache_lock_timeout). 0 turns the waiting off.
   */
  FLEET_FILL_WAIT_MS: z.coerce.number({ error: 'expected a whole number of ms' }).int('expected a whole number of ms').min(0, 'expected 0 or more').default(DEFAULT_FLEET_FILL_WAIT_MS),
  /** Bodies over this are announced to peers but not shipped (peers fetch them on demand). */
  REPLICATION_MAX_BODY_BYTES: byteSizeSchema('1MiB', { allowZero: true }),
  /** The largest origin push (`cache.push`) a gateway stores; larger ones are counted and skipped. */
  ORIGIN_PUSH_MAX_BYTES: byteSizeSchema('1MiB'),
  /**
   * A refresh invalidation's entries are served STALE while the chosen gateway fetches them
   * again; a gateway that has received no new answer this long after the event refreshes
   * on its next hit itself.
   */
  REFRESH_WAIT_MS: positiveIntSchema(5_000),
  /** Refresh and warming fetches one gateway runs at once (origin offload without a flood). */
  ACTIVE_FILL_CONCURRENCY: positiveIntSchema(4),
  /** One line per answer on stdout (README, Access log): off, json (pino fields) or combined (nginx's format). */
  ACCESS_LOG: z.enum(['off', 'json', 'combined']).default('off'),
});
export type GatewayEnv = z.infer<typeof gatewayEnvSchema>;

// The file's schema and loader live in @cairn/shared: the rules service reads the same file.
export { cacheConfigurationSchema, type CacheConfiguration } from '@cairn/shared';

export interface GatewayConfig {
  env: GatewayEnv;
  cache: CacheConfiguration;
}

export function loadGatewayConfig(processEnv: NodeJS.ProcessEnv): GatewayConfig {
  const env = parseEnv(gatewayEnvSchema, processEnv);
  const cache = loadCacheConfiguration(env);
  if (cache.apiOriginAuthHeader !== undefined && env.API_ORIGIN_AUTH_TOKEN === undefined) {
    throw new ConfigError('environment', 'API_ORIGIN_AUTH_TOKEN', 'required when apiOriginAuthHeader is configured');
  }
  if (cache.defaultOriginAuthHeader !== undefined && env.DEFAULT_ORIGIN_AUTH_TOKEN === undefined) {
    throw new ConfigError('environment', 'DEFAULT_ORIGIN_AUTH_TOKEN', 'required when defaultOriginAuthHeader is configured');
  }
  if (env.CLIENT_HEADER_TIMEOUT_MS > env.CLIENT_REQUEST_TIMEOUT_MS) {
    throw new ConfigError('environment', 'CLIENT_HEADER_TIMEOUT_MS', `expected at most CLIENT_REQUEST_TIMEOUT_MS (${env.CLIENT_REQUEST_TIMEOUT_MS}), got ${env.CLIENT_HEADER_TIMEOUT_MS}`);
  }
  if (env.PORT !== 0 && env.PORT === env.ADMIN_PORT && sharesAddress(env.HOST, env.ADMIN_HOST)) {
    throw new ConfigError('environment', 'ADMIN_PORT', `expected a port other than PORT (${env.PORT}) on ${env.ADMIN_HOST}`);
  }
  return { env, cache };
}

/** Whether listeners on these two addresses would take the same port (a wildcard takes it on every address). */
function sharesAddress(a: string, b: string): boolean {
  const wildcard = (host: string) => host === '0.0.0.0' || host === '::' || host === '';
  return a === b || wildcard(a) || wildcard(b);
}
