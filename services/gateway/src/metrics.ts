/**
 * Every gateway metric, declared once with its help text (as Varnish's VSC files). With
 * WORKERS > 1 the primary's /metrics merges the workers' registries: counters, histograms and
 * per-worker gauges (origin connections, queue) are summed; a gauge describing something the
 * workers share (the store, the feeds) says how it merges (`aggregator`), so it is not
 * counted once per worker.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { CacheName, LookupCounts } from '@cairn/shared';
import { CounterCells } from './counter-cells.js';
import type { CacheOutcome, DecisionReason, ErrorReason } from './flow/outcome.js';
import { HistogramCells } from './histogram-cells.js';

export function createGatewayMetrics() {
  const registry = new Registry();
  /** Read at scrape time; the gateway sets them once its parts exist. */
  const probes = {
    feedLost: (): boolean => false,
    invalidationLag: (): number => 0,
    store: (): { bytes: number; entries: number; maxBytes: number } => ({ bytes: 0, entries: 0, maxBytes: 0 }),
    memory: (): { bytes: number; entries: number; hits: number } => ({ bytes: 0, entries: 0, hits: 0 }),
  };
  /** Memory-tier hits counted so far: the tier counts with a plain number, the counter catches up at scrape. */
  let memoryHitsSeen = 0;
  collectDefaultMetrics({ register: registry });
  /** Every answer is counted here (hits included): `requests.inc(cache, outcome, reason)`, summed into the counter when scraped. */
  const requests = new CounterCells<CacheName, CacheOutcome, DecisionReason | ErrorReason>(['cache', 'outcome', 'reason']);
  return {
    registry,
    probes,
    requests,
    /** The heartbeat's answer counts since start (`cairn status` computes the hit ratio from them). */
    lookups: (): LookupCounts => ({ hit: requests.total('HIT'), stale: requests.total('STALE'), miss: requests.total('MISS') }),
    requestsCounter: new Counter({
      name: 'cairn_gateway_requests_total',
      help: 'Proxied requests by cache (page, api), cache outcome and the reason for it.',
      labelNames: ['cache', 'outcome', 'reason'] as const,
      registers: [registry],
      collect() {
        requests.flushInto(this);
      },
    }),
    /** Every answer is observed (hits included), from its arrival to its last byte handed to the client's socket. */
    clientLatencySeconds: new HistogramCells<CacheName, CacheOutcome>({
      name: 'cairn_gateway_client_latency_seconds',
      help: 'Time from a request\'s arrival to the last byte of its answer written to the client, by cache (page, api) and cache outcome.',
      labelNames: ['cache', 'outcome'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    originFetchSeconds: new Histogram({
      name: 'cairn_gateway_origin_fetch_seconds',
      help: 'Time from origin request to response headers.',
      labelNames: ['cache'] as const,
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30],
      registers: [registry],
    }),
    originErrors: new Counter({
      name: 'cairn_gateway_origin_errors_total',
      help: 'Origin requests that failed, by reason (refused, timeout-connect, timeout-headers, timeout-body, timeout-deadline).',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    earlyHints: new Counter({
      name: 'cairn_gateway_early_hints_total',
      help: 'Origin 103 Early Hints passed on to the waiting client (relayed) or refused by node as malformed (dropped).',
      labelNames: ['result'] as const,
      registers: [registry],
    }),
    collapsed: new Counter({
      name: 'cairn_gateway_collapsed_total',
      help: 'Requests answered by another request\'s origin fetch (request coalescing).',
      registers: [registry],
    }),
    stores: new Counter({
      name: 'cairn_gateway_entries_stored_total',
      help: 'Origin responses written to the store.',
      labelNames: ['cache'] as const,
      registers: [registry],
    }),
    swept: new Counter({
      name: 'cairn_gateway_entries_swept_total',
      help: 'Entries the background sweep removed (hard-invalidated, or expired past their stale windows).',
      registers: [registry],
    }),
    feedLost: new Gauge({
      name: 'cairn_gateway_invalidation_feed_lost',
      help: '1 while the invalidation feed has been lost past its grace period and every hit is revalidated.',
      aggregator: 'max',
      registers: [registry],
      collect() {
        this.set(probes.feedLost() ? 1 : 0);
      },
    }),
    invalidationLag: new Gauge({
      name: 'cairn_gateway_invalidation_lag_events',
      help: 'Invalidation events in the stream this gateway has not applied yet (as /ready says).',
      aggregator: 'max',
      registers: [registry],
      collect() {
        this.set(probes.invalidationLag());
      },
    }),
    rules: new Gauge({ name: 'cairn_gateway_rules', help: 'Rules in the in-memory index.', registers: [registry] }),
    invalidationsApplied: new Counter({
      name: 'cairn_gateway_invalidations_applied_total',
      help: 'Invalidation events applied to the invalidation map, by kind.',
      labelNames: ['kind'] as const,
      aggregator: 'max',
      registers: [registry],
    }),
    malformedMessages: new Counter({
      name: 'cairn_gateway_malformed_messages_total',
      help: 'Feed messages that did not match their contract and were skipped.',
      labelNames: ['stream'] as const,
      registers: [registry],
    }),
    untrustedEvents: new Counter({
      name: 'cairn_gateway_untrusted_events_total',
      help: 'Stream events skipped because the invalidation service did not write them (no Cairn-Publisher header) or their subject does not match their payload.',
      labelNames: ['stream'] as const,
      registers: [registry],
    }),
    feedHandlerErrors: new Counter({
      name: 'cairn_gateway_feed_handler_errors_total',
      help: 'Feed messages whose handler threw; the feed went on.',
      labelNames: ['stream'] as const,
      registers: [registry],
    }),
    revalidationDrops: new Counter({
      name: 'cairn_gateway_revalidation_drops_total',
      help: 'Stored entries removed because the 304 to their revalidation made them unstorable, by reason (set-cookie, origin-private, vary-not-in-key, not-storable-status).',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    revalidationRefetches: new Counter({
      name: 'cairn_gateway_revalidation_refetches_total',
      help: 'Revalidations answered by a 304 naming another representation, so the origin was asked again without a condition.',
      registers: [registry],
    }),
    originQueueRejections: new Counter({
      name: 'cairn_gateway_origin_queue_rejections_total',
      help: 'Origin requests refused because every origin connection was busy: the wait queue was full (503) or the wait passed ORIGIN_QUEUE_TIMEOUT_MS (504).',
      labelNames: ['cache', 'reason'] as const,
      registers: [registry],
    }),
    originQueueWaiting: new Gauge({
      name: 'cairn_gateway_origin_queue_waiting',
      help: 'Origin requests waiting for a free origin connection.',
      labelNames: ['cache'] as const,
      registers: [registry],
    }),
    originConnectionsBusy: new Gauge({
      name: 'cairn_gateway_origin_connections_busy',
      help: 'Origin connection slots in use (at most MAX_CONNECTIONS per origin).',
      labelNames: ['cache'] as const,
      registers: [registry],
    }),
    clientAborts: new Counter({
      name: 'cairn_gateway_client_aborts_total',
      help: 'Clients that closed the connection before their origin-bound request was answered: while sending the request body (request) or before the response was complete (response). Never counted as origin errors.',
      labelNames: ['stage'] as const,
      registers: [registry],
    }),
    storeWritable: new Gauge({
      name: 'cairn_gateway_store_writable',
      help: '1 while the store commits writes; 0 after a failed commit (disk full), until a backoff probe succeeds.',
      aggregator: 'min',
      registers: [registry],
    }),
    storeWriteFailures: new Counter({
      name: 'cairn_gateway_store_write_failures_total',
      help: 'Store writes whose commit failed, by operation (put, remove, delete-indexed, reset, reindex, migrate, probe).',
      labelNames: ['op'] as const,
      registers: [registry],
    }),
    storeWritesSkipped: new Counter({
      name: 'cairn_gateway_store_writes_skipped_total',
      help: 'Responses delivered but not stored because the store was not writable.',
      registers: [registry],
    }),
    storedBytes: new Gauge({
      name: 'cairn_gateway_store_bytes',
      help: 'Bytes the stored entries occupy in LMDB as CACHE_MAX_BYTES counts them: keys, values, size records and index values.',
      aggregator: 'max',
      registers: [registry],
      collect() {
        this.set(probes.store().bytes);
      },
    }),
    storedEntries: new Gauge({
      name: 'cairn_gateway_store_entries',
      help: 'Entries in the store (responses, variants and variant markers).',
      aggregator: 'max',
      registers: [registry],
      collect() {
        this.set(probes.store().entries);
      },
    }),
    storeMaxBytes: new Gauge({
      name: 'cairn_gateway_store_max_bytes',
      help: 'The bound in force: CACHE_MAX_BYTES, or lower after a full LMDB map or disk (until restart).',
      aggregator: 'min',
      registers: [registry],
      collect() {
        this.set(probes.store().maxBytes);
      },
    }),
    memoryBytes: new Gauge({
      name: 'cairn_gateway_memory_bytes',
      help: 'Bytes the memory tier holds (bodies, heads and per-entry overhead), at most this process\'s share of MEMORY_CACHE_BYTES.',
      registers: [registry],
      collect() {
        this.set(probes.memory().bytes);
      },
    }),
    memoryEntries: new Gauge({
      name: 'cairn_gateway_memory_entries',
      help: 'Entries the memory tier holds.',
      registers: [registry],
      collect() {
        this.set(probes.memory().entries);
      },
    }),
    memoryHits: new Counter({
      name: 'cairn_gateway_memory_hits_total',
      help: 'Store reads answered by the memory tier, without reading LMDB (each still judged for freshness and invalidations).',
      registers: [registry],
      collect() {
        const hits = probes.memory().hits;
        if (hits > memoryHitsSeen) this.inc(hits - memoryHitsSeen);
        memoryHitsSeen = hits;
      },
    }),
    evictions: new Counter({
      name: 'cairn_gateway_evictions_total',
      help: 'Entries evicted, least recently used first, by reason (bound: a write would pass the bound; map-full: a commit failed for room, so the bound was lowered).',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    rangeAnswers: new Counter({
      name: 'cairn_gateway_range_answers_total',
      help: 'GET requests with Range answered from a complete body, by answer (partial 206, unsatisfiable 416, ignored: the whole 200).',
      labelNames: ['answer'] as const,
      registers: [registry],
    }),
    purges: new Counter({
      name: 'cairn_gateway_purges_total',
      help: 'PURGE requests turned into fleet-wide url invalidations, by result (confirmed: 200; timeout: no reply within PURGE_TIMEOUT_MS, 504; failed: refused or not queued, 502).',
      labelNames: ['result'] as const,
      registers: [registry],
    }),
    streamsMissing: new Gauge({
      name: 'cairn_gateway_streams_missing',
      help: '1 while the gateway waits for a stream it reads (CACHE_RULES, CACHE_INVALIDATIONS) to be created by its owner.',
      labelNames: ['stream'] as const,
      aggregator: 'max',
      registers: [registry],
    }),
    authFailures: new Counter({
      name: 'cairn_gateway_auth_failures_total',
      help: 'Proxy requests whose credentials were missing, malformed, of an unknown user or with a wrong password.',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    authRefused: new Counter({
      name: 'cairn_gateway_auth_refused_total',
      help: 'Proxy requests refused with 429 because their address failed to log in too often.',
      registers: [registry],
    }),
    replicationOffered: new Counter({
      name: 'cairn_gateway_replication_offered_total',
      help: 'Stored fills offered to the peers: shipped with their body, or announced only (body over REPLICATION_MAX_BODY_BYTES).',
      labelNames: ['kind'] as const,
      registers: [registry],
    }),
    replicationReceived: new Counter({
      name: 'cairn_gateway_replication_received_total',
      help: "Peers' fills received, by result: stored, announced (no body), invalidated (an invalidation newer than the fill), older (this gateway holds a newer fill), other-stream, unwritable, malformed.",
      labelNames: ['result'] as const,
      registers: [registry],
    }),
    replicationLagSeconds: new Histogram({
      name: 'cairn_gateway_replication_lag_seconds',
      help: "From a peer's publish to this gateway's store of its fill (wall clocks of two hosts: for humans).",
      buckets: [0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: [registry],
    }),
    originPushes: new Counter({
      name: 'cairn_gateway_origin_pushes_total',
      help: 'Origin pushes (cache.push) by result: stored, or why not (too-large, malformed, not-cacheable, unwritable).',
      labelNames: ['result'] as const,
      registers: [registry],
    }),
    activeFills: new Counter({
      name: 'cairn_gateway_active_fills_total',
      help: 'Fills made ahead of clients, by cause (warm, refresh, refresh-ahead) and outcome (stored, cached, not-cacheable, failed).',
      labelNames: ['cause', 'outcome'] as const,
      registers: [registry],
    }),
  };
}
export type GatewayMetrics = ReturnType<typeof createGatewayMetrics>;
