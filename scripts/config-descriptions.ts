/**
 * What each configuration field means, for docs/configuration.md (npm run docs:config). Names,
 * types and defaults come from the zod schemas; only the meaning (and a type the schema cannot
 * say, such as "byte size") is written here. A schema field missing from these maps fails the
 * generator, naming the field.
 */

export interface FieldDoc {
  meaning: string;
  /** Shown instead of the type read from the schema (which sees a byte size as a string). */
  type?: string;
  /** Shown instead of the schema's default when that default depends on the machine. */
  shownDefault?: string;
}

export type ServiceName = 'gateway' | 'rules' | 'invalidation';

const BYTE_SIZE = 'byte size';
const DURATION = 'duration (`30s`, `5m`, `6h`, `30d`)';
const CSV = 'comma-separated list';

/**
 * Environment variables by name; `<service>:<NAME>` overrides the entry for one service (PORT
 * means a different port in each). Shared across services unless overridden.
 */
export const envDocs: Record<string, FieldDoc> = {
  NATS_URL: { meaning: 'NATS server URL, or several separated by commas (every node of a cluster, so a client can reconnect to another).' },
  NATS_USER: { meaning: 'NATS user name (each service has its own least-privilege user in `config/nats/nats-server.conf`).' },
  NATS_PASS: { meaning: 'Password of `NATS_USER`.' },
  NATS_CREDS: { meaning: 'Path to a NATS `.creds` file (JWT and nkey), instead of user and password.' },
  NATS_TLS_CA: { meaning: 'CA file to verify the NATS server certificate (turns TLS on).' },
  NATS_TLS_CERT: { meaning: 'Client certificate for NATS TLS; set together with `NATS_TLS_KEY`.' },
  NATS_TLS_KEY: { meaning: 'Key of `NATS_TLS_CERT`.' },
  NATS_INBOX_PREFIX: { meaning: 'Prefix of reply subjects; the default `_INBOX_<NATS_USER>` is what the shipped permissions allow each user to subscribe to.' },
  NATS_REPLICAS: { type: '`1` \\| `3`', meaning: 'Replicas of the streams a service creates: 1 for one NATS node, 3 for a cluster. Only the stream owners (rules, invalidation) create streams.' },
  INVALIDATION_RETENTION: {
    type: `${DURATION}, at least \`5m\``,
    meaning: 'Max age of invalidation events (and dead letters). The invalidation service applies it to its streams; a gateway revalidates any entry stored longer ago than this, since older events are gone from the stream.',
  },
  LOG_LEVEL: { meaning: 'pino log level of the service.' },
  LOG_LEVEL_FILE: { meaning: 'A file holding a log level, re-read on SIGHUP (the environment of a running process cannot change).' },
  DRAIN_MS: { meaning: 'After SIGTERM, how long the service keeps accepting new connections while `/ready` fails (so a load balancer takes it out of rotation first); then it stops.' },
  AUTH_REQUIRED: { meaning: 'Basic auth against `USERS_FILE` on every HTTP surface but `/health` and `/ready` (docs/access-control.md).' },
  USERS_FILE: { meaning: 'The users file (`{"users": [{username, passwordHash, roles}]}`); required and readable when `AUTH_REQUIRED` is true.' },
  HOST: { meaning: 'Address the service listens on.' },
  'gateway:HOST': { meaning: 'Address the proxy port listens on.' },
  'gateway:PORT': { meaning: 'The proxy port: all client traffic.' },
  'rules:PORT': { meaning: 'The rules REST port (also `/health`, `/ready`, `/metrics`, `/docs/json`).' },
  'invalidation:PORT': { meaning: 'The invalidation REST port (also `/health`, `/ready`, `/metrics`).' },
  ADMIN_PORT: { meaning: 'The gateway admin port: `/health`, `/ready`, `/metrics` (no credentials asked). Must differ from `PORT` unless the two hosts are distinct addresses.' },
  ADMIN_HOST: { meaning: 'Address the admin port listens on; loopback unless opened on purpose.' },
  ENVIRONMENT: { meaning: 'Selects `cacheConfiguration.<ENVIRONMENT>.json` in `CONFIG_DIR`; a missing file stops startup naming the path.' },
  CONFIG_DIR: { meaning: 'Directory holding `cacheConfiguration.<ENVIRONMENT>.json`.' },
  'rules:ENVIRONMENT': { meaning: 'Selects the gateways\' `cacheConfiguration.<ENVIRONMENT>.json`, whose key configs `POST /rules/test` builds keys with. When set, the file must exist and be valid; unset, a missing file is no error (keys are then the path alone).' },
  'rules:CONFIG_DIR': { meaning: 'Where the rules service looks for the gateways\' cache configuration (a file found there must be valid; the image sets it for every service, so it alone does not require one).' },
  DATA_DIR: { meaning: 'The LMDB store directory (one per gateway node; never shared between nodes).' },
  GATEWAY_ID: { shownDefault: '`<hostname>-<pid>`', meaning: 'The node\'s name in heartbeats, acknowledgements and replication; at most 256 characters. Set a stable one per node.' },
  REQUEST_TIMEOUT_MS: { meaning: 'Outer deadline of an origin request; past it the client gets 504 (or stale-if-error).' },
  MAX_CONNECTIONS: { meaning: 'Concurrent requests per origin, per worker; more wait in the origin queue.' },
  CLIENT_TTL_MS: { meaning: 'How long an idle origin keep-alive connection is kept.' },
  CONNECT_TIMEOUT_MS: { meaning: 'Origin TCP/TLS connect timeout.' },
  HEADERS_TIMEOUT_MS: { meaning: 'Origin time to response headers.' },
  BODY_TIMEOUT_MS: { meaning: 'Origin idle time between body chunks.' },
  MAX_ENTRY_BYTES: { meaning: 'Largest body stored; larger answers are delivered, not cached.' },
  MAX_VARIANTS_PER_KEY: { meaning: 'Vary variants kept per URL key; the least recently stored go first.' },
  RESERVED_PATHS: { type: CSV, meaning: 'Paths that skip cache logic and auth and go straight to the origin.' },
  CACHEABLE_STATUSES: { type: `${CSV} of statuses`, meaning: 'Origin statuses a cacheable rule may store with explicit freshness (206 never).' },
  REQUEST_CACHE_CONTROL: { meaning: '`ignore`: a client\'s `no-cache`/`max-age`/`min-fresh`/`Pragma` cannot force an origin fetch; `honor`: they revalidate (docs/http-semantics.md).' },
  SWEEP_INTERVAL_MS: { meaning: 'How often the background sweep removes hard-invalidated and expired entries.' },
  INVALIDATION_FEED_GRACE_MS: { meaning: 'After this long without the invalidation feed, every hit is revalidated with the origin (`feed-lost`).' },
  HIT_FOR_MISS_MS: { meaning: 'How long a key whose answer was not storable skips coalescing (hit-for-miss).' },
  DEBUG_HEADERS: { meaning: 'Whether `x-cairn-cache-debug: true` adds the debug headers (with auth on, for `cache_admin`/`super_user` only).' },
  API_ORIGIN_AUTH_TOKEN: { meaning: 'Value sent to the API origin under `apiOriginAuthHeader`; required when that key is set.' },
  DEFAULT_ORIGIN_AUTH_TOKEN: { meaning: 'Value sent to the default origin under `defaultOriginAuthHeader`; required when that key is set.' },
  LOAD_TEST_MODE: { meaning: 'Origin fetches are answered by a synthetic 1 KiB 200 (measures the gateway alone). Never in production.' },
  CACHE_MAX_BYTES: { type: BYTE_SIZE, meaning: 'The store\'s bound on disk; least-recently-used entries (CLOCK) are evicted to stay under it.' },
  MEMORY_CACHE_BYTES: { type: `${BYTE_SIZE}, or \`0\``, meaning: 'The in-memory tier of hot entries for the whole node (each worker holds its share); `0` turns it off.' },
  WORKERS: { shownDefault: 'one per core (`os.availableParallelism()`)', meaning: 'Proxy processes sharing one store; with more than 1 the process started is the node\'s primary.' },
  ORIGIN_QUEUE_LIMIT: { meaning: 'Origin requests that may wait for a connection, per worker; beyond it 503 `CAIRN_ORIGIN_BUSY`.' },
  ORIGIN_QUEUE_TIMEOUT_MS: { meaning: 'Longest wait for an origin connection before 504 `CAIRN_ORIGIN_BUSY`.' },
  CLIENT_HEADER_TIMEOUT_MS: { meaning: 'A client must send its request header within this (408); at most `CLIENT_REQUEST_TIMEOUT_MS`.' },
  CLIENT_REQUEST_TIMEOUT_MS: { meaning: 'A client must send its whole request within this (408).' },
  CLIENT_KEEPALIVE_TIMEOUT_MS: { meaning: 'An idle client keep-alive connection is closed after this.' },
  FORWARD_CDN_CACHE_CONTROL: { meaning: 'Whether clients (a CDN in front) get the origin\'s `CDN-Cache-Control`; `Cairn-Cache-Control` is never forwarded.' },
  PURGE_TIMEOUT_MS: { meaning: 'How long a `PURGE` waits for the invalidation service\'s confirmation before 504.' },
  FILL_REPLICATION: { meaning: 'Offer stored fills to peer gateways on `cache.fills`, and store theirs.' },
  FLEET_FILL_WAIT_MS: { meaning: 'A miss on a key a peer announced it is filling waits this long for the replica before asking the origin; `0` turns fleet-wide coalescing off.' },
  REPLICATION_MAX_BODY_BYTES: { type: `${BYTE_SIZE}, or \`0\``, meaning: 'Bodies over this are announced to peers without the body (peers fetch on demand).' },
  ORIGIN_PUSH_MAX_BYTES: { type: BYTE_SIZE, meaning: 'Largest origin push on `cache.push` a gateway stores.' },
  REFRESH_WAIT_MS: { meaning: 'After a `refresh` invalidation, a gateway that has received no new answer this long refreshes on its next hit itself.' },
  ACTIVE_FILL_CONCURRENCY: { meaning: 'Refresh and warming fetches one gateway runs at once.' },
  ACCESS_LOG: { meaning: 'Per-request access log lines on stdout: `off`, `json` (pino fields) or `combined` (nginx\'s format).' },
  ACK_TIMEOUT_MS: { meaning: 'How long `POST /cache/invalidate` waits for every live gateway\'s acknowledgement.' },
  COMMAND_MAX_ATTEMPTS: { meaning: 'Deliveries of one NATS command before it is dead-lettered on `CACHE_DEAD_LETTERS`.' },
  GATEWAY_REGISTRY_MAX: { meaning: 'Most gateways the registry tracks; heartbeats from further ids are refused.' },
  WARM_CONCURRENCY: { meaning: 'Warm requests outstanding at once across the service (bounds what warming adds to the origin).' },
  WARM_URL_TIMEOUT_MS: { meaning: 'How long one warmed URL waits for its gateway\'s answer before it is reported `timeout`.' },
  WARM_WAIT_MS: { meaning: 'How long `POST /cache/warm` waits for its URLs before answering 202 instead of 200.' },
};

/** `cacheConfiguration.<ENVIRONMENT>.json`, by key. */
export const cacheConfigDocs: Record<string, FieldDoc> = {
  cacheTagsHeader: { type: 'header name', meaning: 'Origin response header listing the entry\'s cache tags (comma- or space-separated) for `cacheTag` invalidations.' },
  exposeCacheTagsHeader: { meaning: 'Whether clients get the `cacheTagsHeader` the origin sent; withheld by default (stored for tag invalidation only), as CDNs withhold Surrogate-Key and Cache-Tag.' },
  apiPathPrefix: { meaning: 'Requests whose normalized path starts with this are API traffic (lowercased).' },
  apiHeader: { meaning: 'Requests carrying this header with this value are API traffic.' },
  apiPathReplacement: { meaning: 'Rewrites the API path before it goes to the API origin (first match of `search`); `false`: none.' },
  apiOrigin: { type: 'http(s) URL', meaning: 'The API origin. Every other `api*` key requires it; it requires `apiCacheKey` and `apiPathPrefix` or `apiHeader`.' },
  apiOriginAuthHeader: { type: 'header name', meaning: 'Header the gateway sends to the API origin with `API_ORIGIN_AUTH_TOKEN`.' },
  apiCacheKey: { type: 'cache-key config', meaning: 'What the API cache key holds (table below).' },
  defaultOrigin: { type: 'http(s) URL', meaning: 'The origin of all non-API traffic.' },
  defaultOriginAuthHeader: { type: 'header name', meaning: 'Header the gateway sends to the default origin with `DEFAULT_ORIGIN_AUTH_TOKEN`.' },
  defaultPathReplacement: { meaning: 'Rewrites the path before it goes to the default origin; `false`: none.' },
  defaultCacheKey: { type: 'cache-key config', meaning: 'What the page cache key holds (table below).' },
  defaultForwardHeaders: { meaning: 'Lowercase request headers a fill sends besides the keyed ones (`user-agent`, `traceparent`); `host`, `authorization`, `cookie`, conditional, range, framing and hop-by-hop fields are refused.' },
  apiForwardHeaders: { meaning: 'The same for API fills; it does not inherit `defaultForwardHeaders`.' },
};

/** A cache-key config (`defaultCacheKey`, `apiCacheKey`), by key. */
export const cacheKeyDocs: Record<string, FieldDoc> = {
  includeHeaders: { meaning: 'Request headers whose (combined) value is part of the key and sent on the fill.' },
  includeQueryParams: { meaning: 'Query parameters in the key, sorted by name; `"ALL"` keys every parameter.' },
  includeCookies: { meaning: 'Cookies in the key (the first value of a repeated one).' },
};

/** A variable read by a script without a zod schema; the docs test checks the list against the script's source. */
export interface ScriptVariable {
  name: string;
  type: string;
  default: string;
  meaning: string;
}

/** `npm start` (scripts/dev.ts); every service variable also passes through to the services it starts. */
export const launcherEnv: readonly ScriptVariable[] = [
  { name: 'GATEWAYS', type: 'integer 1–9', default: '`1`', meaning: 'Gateways to start: proxy 8080, then 8091, 8092…; admin 9080, 9081…' },
  { name: 'LOG_LEVEL', type: 'pino level', default: '`warn`', meaning: 'Log level of every service the launcher starts.' },
  { name: 'AUTH_REQUIRED', type: '`true` \\| `false`', default: '`false`', meaning: 'Access control of every service (off by default here only).' },
  { name: 'USERS_FILE', type: 'path', default: '`.cairn/users.json` (demo users, written each run)', meaning: 'Users file when `AUTH_REQUIRED=true`.' },
];

/** The `cairn` command (tools/cli): a flag wins over its variable. */
export const cliEnv: readonly ScriptVariable[] = [
  { name: 'CAIRN_RULES_URL', type: 'URL', default: '`http://127.0.0.1:8081`', meaning: 'The rules service (`--rules-url`).' },
  { name: 'CAIRN_INVALIDATION_URL', type: 'URL', default: '`http://127.0.0.1:8082`', meaning: 'The invalidation service (`--invalidation-url`).' },
  { name: 'CAIRN_USER', type: 'string', default: 'none', meaning: 'Basic auth user for the REST services (`--user`).' },
  { name: 'CAIRN_PASSWORD', type: 'string', default: 'none', meaning: 'Its password; required when a user is given (kept out of `ps`, unlike `--user name:password`).' },
  { name: 'CAIRN_GATEWAY_ADMIN_URLS', type: 'comma-separated URLs', default: 'none', meaning: '`cairn status`: gateway admin URLs whose readiness and hit ratio to show (`--gateway-admin`).' },
  { name: 'CAIRN_CLI_FROM_SOURCE', type: '`1`', default: 'unset', meaning: 'Run the TypeScript sources through tsx even when `tools/cli/dist` exists.' },
  { name: 'NATS_URL', type: 'comma-separated URLs', default: '`nats://127.0.0.1:4222`', meaning: '`cairn pub` and `status` (`--nats-url`); `NATS_USER`/`NATS_PASS`/`NATS_CREDS`/`NATS_TLS_*` as the services read them.' },
];

/** The demo origin (services/demo-origin/src/main.ts), the compose file's `origin`. */
export const demoOriginEnv: readonly ScriptVariable[] = [
  { name: 'PORT', type: 'port', default: '`8090`', meaning: 'Port the demo origin listens on.' },
  { name: 'HOST', type: 'address', default: '`0.0.0.0`', meaning: 'Address it listens on.' },
  { name: 'LOG_LEVEL', type: 'level', default: '`info`', meaning: 'Its log level (JSON lines: listening, stopping, stopped).' },
];

/** `docker-compose.yml` substitutions (`${CAIRN_…:-default}`), by name. */
export const composeDocs: Record<string, string> = {
  CAIRN_NATS_GATEWAY_PASS: 'NATS password of the `gateway` user (demo value: replace).',
  CAIRN_NATS_RULES_PASS: 'NATS password of the `rules` user (demo value: replace).',
  CAIRN_NATS_INVALIDATION_PASS: 'NATS password of the `invalidation` user (demo value: replace).',
  CAIRN_NATS_OPERATOR_PASS: 'NATS password of the `operator` user (nats-box, a host `nats` CLI).',
  CAIRN_LOG_LEVEL: 'Log level of every Cairn service.',
  CAIRN_BIND: 'Host address every published port binds to; `0.0.0.0` publishes on every address.',
  CAIRN_NATS_PORT: 'Host port of nats-1\'s client port.',
  CAIRN_RULES_PORT: 'Host port of the rules service.',
  CAIRN_INVALIDATION_PORT: 'Host port of the invalidation service.',
  CAIRN_ORIGIN_PORT: 'Host port of the demo origin.',
  CAIRN_GATEWAY_1_PORT: 'Host port of gateway-1\'s proxy.',
  CAIRN_GATEWAY_1_ADMIN_PORT: 'Host port of gateway-1\'s admin port.',
  CAIRN_GATEWAY_2_PORT: 'Host port of gateway-2\'s proxy.',
  CAIRN_GATEWAY_2_ADMIN_PORT: 'Host port of gateway-2\'s admin port.',
};
