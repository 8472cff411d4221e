/**
 * Sends warmed URLs to the gateways and reads their answers (README, Active caching). One
 * dispatcher per service keeps at most WARM_CONCURRENCY URLs outstanding across all warms,
 * so warming never floods the origin however many warms run; warms take turns URL by URL,
 * so a small warm is not stuck behind a sitemap of 10,000.
 *
 * Each URL goes to one live gateway (gateway-choice.ts) as a core NATS request on
 * `subjects.warmRequests`; it is settled by that gateway's acknowledgement (`fetched: true`)
 * or after WARM_URL_TIMEOUT_MS as failed (`timeout`). Peers that store the replicated fill
 * say so with `fetched: false`, before or after that, and are recorded as long as the warm
 * is kept. Acknowledgements that do not decode are logged and counted by the contract
 * subscription; ones naming no kept warm or URL, or from a gateway the registry does not
 * list as live, are dropped and counted.
 */
import { encodeMessage, subjects, warmAckSchema, type Logger, type WarmAck, type WarmRequest } from '@cairn/shared';
import type { NatsConnection, Subscription } from 'nats';
import { subscribeToContract } from './contract-subscription.js';
import { chooseGateway, eligibleGatewayIds } from './gateway-choice.js';
import type { GatewayRegistry } from './gateway-registry.js';
import type { InvalidationMetrics } from './metrics.js';
import { TIMEOUT_REASON, type WarmItem, type WarmJob } from './warm-job.js';
import type { WarmJobStore } from './warm-job-store.js';

export interface WarmDispatcherOptions {
  /** WARM_CONCURRENCY */
  concurrency: number;
  /** WARM_URL_TIMEOUT_MS */
  urlTimeoutMs: number;
}

type IgnoredReason = 'unknown-warm' | 'unknown-url' | 'not-fetcher' | 'not-live' | 'bound';

export class WarmDispatcher {
  readonly #nc: NatsConnection;
  readonly #registry: GatewayRegistry;
  readonly #jobs: WarmJobStore;
  readonly #metrics: InvalidationMetrics;
  readonly #logger: Logger;
  readonly #options: WarmDispatcherOptions;
  /** Warms with URLs not yet sent, served in turn. */
  readonly #queue: WarmJob[] = [];
  #turn = 0;
  /** URLs sent and not yet settled, with their timeout. */
  readonly #outstanding = new Map<WarmItem, { job: WarmJob; timer: NodeJS.Timeout }>();
  #subscription: Subscription | undefined;
  #stopped = false;

  constructor(nc: NatsConnection, registry: GatewayRegistry, jobs: WarmJobStore, metrics: InvalidationMetrics, logger: Logger, options: WarmDispatcherOptions) {
    this.#nc = nc;
    this.#registry = registry;
    this.#jobs = jobs;
    this.#metrics = metrics;
    this.#logger = logger;
    this.#options = options;
  }

  start(): void {
    this.#subscription = subscribeToContract(this.#nc, subjects.warmAcks, warmAckSchema, (ack) => this.#acknowledged(ack), this.#metrics, this.#logger);
  }

  stop(): void {
    this.#stopped = true;
    this.#subscription?.unsubscribe();
    for (const { timer } of this.#outstanding.values()) clearTimeout(timer);
    this.#outstanding.clear();
    this.#metrics.warmOutstanding.set(0);
  }

  /** Queues a warm (already kept in the store, so its acknowledgements find it). */
  submit(job: WarmJob): void {
    this.#queue.push(job);
    this.#pump();
  }

  #pump(): void {
    while (!this.#stopped && this.#outstanding.size < this.#options.concurrency) {
      const next = this.#nextUnsent();
      if (next === undefined) break;
      this.#send(next.job, next.item);
    }
    this.#metrics.warmOutstanding.set(this.#outstanding.size);
  }

  /** One URL from the next warm in turn; warms with nothing left to send leave the queue. */
  #nextUnsent(): { job: WarmJob; item: WarmItem } | undefined {
    while (this.#queue.length > 0) {
      this.#turn %= this.#queue.length;
      const job = this.#queue[this.#turn] as WarmJob;
      const item = job.nextUnsent();
      if (item === undefined) {
        this.#queue.splice(this.#turn, 1);
        continue;
      }
      this.#turn++;
      return { job, item };
    }
    return undefined;
  }

  #send(job: WarmJob, item: WarmItem): void {
    // Chosen now rather than when the warm began: a gateway that left meanwhile is not asked.
    const fetchBy = chooseGateway(eligibleGatewayIds(this.#registry), `${job.cache ?? ''}\u0000${item.path}`);
    if (fetchBy === undefined) return this.#settleUnanswered(job, item, 'no-gateway');
    item.fetchedBy = fetchBy;
    const request: WarmRequest = { warmId: job.id, url: item.path, fetchBy, ...(job.cache === undefined ? {} : { cache: job.cache }) };
    try {
      this.#nc.publish(subjects.warmRequests, encodeMessage(request));
    } catch (err) {
      this.#logger.warn({ err, warmId: job.id, url: item.path, fetchBy }, 'warm request publish failed');
      return this.#settleUnanswered(job, item, 'publish-failed');
    }
    const timer = setTimeout(() => this.#timedOut(job, item), this.#options.urlTimeoutMs);
    this.#outstanding.set(item, { job, timer });
  }

  #timedOut(job: WarmJob, item: WarmItem): void {
    if (!this.#outstanding.delete(item)) return;
    this.#logger.warn({ warmId: job.id, url: item.path, fetchBy: item.fetchedBy, timeoutMs: this.#options.urlTimeoutMs }, 'warmed URL timed out');
    this.#settleUnanswered(job, item, TIMEOUT_REASON);
    this.#pump();
  }

  /** Settles a URL no gateway answered for: failed, with the service's reason as the outcome label. */
  #settleUnanswered(job: WarmJob, item: WarmItem, reason: 'no-gateway' | 'publish-failed' | typeof TIMEOUT_REASON): void {
    if (job.settle(item, 'failed', { reason })) this.#completed(job, reason);
  }

  #acknowledged(ack: WarmAck): void {
    const job = this.#jobs.get(ack.warmId);
    if (job === undefined) return this.#ignore(ack, 'unknown-warm');
    const item = job.item(ack.url);
    if (item === undefined) return this.#ignore(ack, 'unknown-url');
    if (ack.fetched) return this.#fetcherAnswered(job, item, ack);
    if (!this.#registry.isLive(ack.gatewayId)) return this.#ignore(ack, 'not-live');
    if (ack.outcome !== 'stored') {
      // The contract has peers confirm only what they stored; anything else says nothing about the URL.
      return this.#logger.debug({ warmId: ack.warmId, url: ack.url, gatewayId: ack.gatewayId, outcome: ack.outcome }, 'peer warm acknowledgement without a store');
    }
    if (!job.storedOn(item, ack.gatewayId, this.#registry.max)) this.#ignore(ack, 'bound');
  }

  /** The fetcher's answer settles the URL (or replaces its timeout) and frees its slot. */
  #fetcherAnswered(job: WarmJob, item: WarmItem, ack: WarmAck): void {
    // Only the gateway asked may settle the URL; its liveness does not matter, its request was ours.
    if (ack.gatewayId !== item.fetchedBy) return this.#ignore(ack, 'not-fetcher');
    const first = job.settle(item, ack.outcome, { status: ack.status, reason: ack.reason });
    if (ack.outcome === 'stored' || ack.outcome === 'cached') job.storedOn(item, ack.gatewayId, this.#registry.max);
    if (!first) return;
    const outstanding = this.#outstanding.get(item);
    if (outstanding !== undefined) {
      clearTimeout(outstanding.timer);
      this.#outstanding.delete(item);
    }
    this.#completed(job, ack.outcome);
    this.#pump();
  }

  #completed(job: WarmJob, outcome: string): void {
    this.#metrics.warmCompleted.inc({ outcome });
    if (!job.done) return;
    const { stored, cached, notCacheable, failed } = job.counts();
    this.#logger.info({ warmId: job.id, total: job.total, stored, cached, notCacheable, failed, ms: Date.now() - job.startedAt.getTime() }, 'warm done');
  }

  #ignore(ack: WarmAck, reason: IgnoredReason): void {
    this.#metrics.warmAcksIgnored.inc({ reason });
    this.#logger.debug({ warmId: ack.warmId, url: ack.url, gatewayId: ack.gatewayId, fetched: ack.fetched, reason }, 'warm acknowledgement ignored');
  }
}
