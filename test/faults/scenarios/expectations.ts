/**
 * Every bound and every design choice the rows depend on, in one place so the integrator
 * can adjust them to what the fixes chose. Wording follows issue 9 and the README; where the
 * issue allows a choice, every reasonable outcome is accepted.
 */

/** Extra environment for every gateway (e.g. the client timeouts the idle-connection fix adds). */
export const GATEWAY_ENV: Record<string, string> = { CLIENT_HEADER_TIMEOUT_MS: '5000', CLIENT_KEEPALIVE_TIMEOUT_MS: '5000' };
/** Extra environment for the invalidation service. ACK_TIMEOUT_MS is DESIGN §5's default. */
export const INVALIDATION_ENV: Record<string, string> = { ACK_TIMEOUT_MS: '2000' };

/** Smuggling and malformed framing: the status every variant must get (RFC 9112 §6.3, §11.2). */
export const SMUGGLING_STATUS = 400;
/** While clients trickle headers, an unrelated request is still answered within this. */
export const SLOWLORIS_OTHER_CLIENT_BOUND_MS = 1000;
export const SLOWLORIS_CONNECTIONS = 100;

/** kill -9 rounds during fills, and fills started per round. */
export const KILL_ROUNDS = 3;
export const FILLS_PER_ROUND = 200;

/** After a fault, every accepted invalidation is visible on the gateway within this. */
export const INVALIDATION_SETTLE_MS = 15_000;
/** Commands a killed invalidation service had pulled are redelivered after its consumer's ack_wait (30 s). */
export const REDELIVERY_SETTLE_MS = 45_000;
export const FUZZ_COMMANDS = 10_000;
/** Series of `cairn_invalidation_*` metrics allowed after the fuzz and after 20,000 bad commands. */
export const METRIC_SERIES_BOUND = 200;

/** Over-long request targets: served (no rule, or cached) or refused as 414 (issue item 8). */
export const LONG_URL_STATUSES = [200, 414];
export const LONG_URL_BYTES = 8 * 1024;

/** Pathological accepted patterns: the gateway's /health answer time while a 15 KB request is matched. */
export const HEALTH_DURING_PATHOLOGICAL_BOUND_MS = 100;
/** Rule churn: rules loaded (the issue measured 100,000; fewer keep the run in CI) and the HIT p50 bound under a PUT loop. */
export const CHURN_RULES = 20_000;
export const CHURN_HIT_P50_BOUND_MS = 50;
export const RULES_TEST_BOUND_MS = 1000;

/** Bounded admin reads. */
export const ADMIN_READ_EVENTS = 10_000;
export const ADMIN_READ_RSS_GROWTH_BOUND_MB = 200;
/** One page (the API's largest `limit`, 500 events of ~1 KB keys) must fit. */
export const ADMIN_READ_BODY_BOUND_BYTES = 2 * 1024 * 1024;
export const FAKE_HEARTBEATS = 20_000;
/**
 * Until NATS permissions (the access-control issue) keep other clients off the heartbeat
 * subject, a fake heartbeat cannot be told from a real one: the registry's cap bounds the body
 * and ACK_TIMEOUT_MS (2 s) bounds the wait, so the bound is that timeout plus slack.
 */
export const HEARTBEAT_POST_BOUND_MS = 2500;
export const HEARTBEAT_BODY_BOUND_BYTES = 64 * 1024;

/** Disk full: the tmpfs the gateway's DATA_DIR lives on, and how /ready and /metrics name the fault. */
export const DISK_TMPFS_MB = 24;
export const READY_STORE_FAULT = /store|disk|space|full|writ/i;
/** A cairn_gateway_* series whose name or labels say the store failed, with a value > 0. */
export const STORE_FAULT_METRIC = /^cairn_gateway_\w*(store|disk|write|commit)\w*(\{[^}]*\})?\s+([1-9][0-9.e+]*)$|^cairn_gateway_\w+\{[^}]*(full|no-space|enospc|store-fail|write-fail|map-full)[^}]*\}\s+([1-9][0-9.e+]*)$/im;
export const SIGTERM_BOUND_MS = 10_000;

export const URL_EVENTS = 1000;
/** Origin pool starvation: slow fills, the origin's delay, and the bound for an unrelated miss (200, or a fast 504). */
export const SLOW_FILLS = 100;
export const SLOW_ORIGIN_MS = 6000;
/** The gateway's ORIGIN_QUEUE_TIMEOUT_MS default (2 s) plus slack: past it a queued miss gets 504. */
export const UNRELATED_MISS_BOUND_MS = 3000;
export const UNRELATED_MISS_STATUSES = [200, 504];
/** Idle connections that never send a byte are closed by the gateway within this. */
export const IDLE_CONNECTIONS = 20;
export const IDLE_CLOSE_BOUND_MS = 15_000;
/** 300 clients not reading a 5 MB HIT: the gateway's RSS growth bound. */
export const SLOW_READERS = 300;
export const BIG_ENTRY_BYTES = 5 * 1024 * 1024;
export const SLOW_READERS_RSS_GROWTH_BOUND_MB = 256;
/** Client aborts are counted apart from origin errors: a cairn_gateway_* series naming aborts. */
export const ABORT_METRIC = /^cairn_gateway_\w*abort\w*(\{[^}]*\})?\s+([0-9.e+]+)$|^cairn_gateway_\w+\{[^}]*abort[^}]*\}\s+([0-9.e+]+)$/gim;
export const ORIGIN_ERRORS_METRIC = 'cairn_gateway_origin_errors_total';
