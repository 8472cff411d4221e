/**
 * One `POST /cache/warm` and what became of each of its URLs (README, Active caching): which
 * gateway was asked to fetch it, its outcome there, and every gateway that now holds it.
 * A URL is settled by its fetcher's acknowledgement or by the dispatcher's timeout; the warm
 * is done when every URL is settled. Peers' `stored` acknowledgements keep arriving after that.
 */
import type { CacheName, WarmOutcome, WarmReport } from '@cairn/shared';
import type { SitemapSource, WarmTarget } from './warm-targets.js';

export type WarmState = 'pending' | WarmOutcome;

export interface WarmItem {
  readonly url: string;
  readonly path: string;
  state: WarmState;
  /** The gateway asked to fetch it (set once it was sent). */
  fetchedBy: string | undefined;
  status: number | undefined;
  reason: string | undefined;
  /** Gateways holding it: the fetcher when it stored (or already had) it, and each peer that stored its replica. */
  storedOn: Set<string> | undefined;
}

/** Why the dispatcher settled a URL itself: no gateway answered in time. */
export const TIMEOUT_REASON = 'timeout';

export interface WarmReportPage {
  offset: number;
  limit: number;
}

export class WarmJob {
  readonly id: string;
  readonly cache: CacheName | undefined;
  readonly sitemap: SitemapSource | undefined;
  readonly requestedBy: string | undefined;
  readonly startedAt = new Date();
  finishedAt: Date | undefined;
  /**
   * Characters of URL text this warm keeps: what bounds the warms kept in memory. An
   * absolute URL costs its path too; a path given as it is costs once.
   */
  readonly weight: number;
  /** Resolves when every URL is settled (a future waiting `POST /cache/warm` awaits it with a bound). */
  readonly finished: Promise<void>;
  readonly #items: WarmItem[];
  readonly #byPath = new Map<string, WarmItem>();
  readonly #counts: Record<WarmState, number> = { pending: 0, stored: 0, cached: 0, 'not-cacheable': 0, failed: 0 };
  #unsent = 0;
  #finish: () => void = () => undefined;

  constructor(id: string, targets: readonly WarmTarget[], options: { cache?: CacheName | undefined; sitemap?: SitemapSource | undefined; requestedBy?: string | undefined } = {}) {
    this.id = id;
    this.cache = options.cache;
    this.sitemap = options.sitemap;
    this.requestedBy = options.requestedBy;
    let weight = 0;
    this.#items = targets.map((t) => {
      weight += t.path.length + (t.url === t.path ? 0 : t.url.length);
      const item: WarmItem = { url: t.url, path: t.path, state: 'pending', fetchedBy: undefined, status: undefined, reason: undefined, storedOn: undefined };
      this.#byPath.set(t.path, item);
      return item;
    });
    this.weight = weight;
    this.#counts.pending = this.#items.length;
    this.finished = new Promise((resolve) => (this.#finish = resolve));
  }

  get total(): number {
    return this.#items.length;
  }

  get done(): boolean {
    return this.#counts.pending === 0;
  }

  get state(): 'running' | 'done' {
    return this.done ? 'done' : 'running';
  }

  /** URLs by state, as the report names them. */
  counts(): { stored: number; cached: number; notCacheable: number; failed: number; pending: number } {
    const c = this.#counts;
    return { stored: c.stored, cached: c.cached, notCacheable: c['not-cacheable'], failed: c.failed, pending: c.pending };
  }

  /** The URL an acknowledgement names (the path it was asked for). */
  item(path: string): WarmItem | undefined {
    return this.#byPath.get(path);
  }

  /** The next URL not yet sent to a gateway, in the order given, or undefined when all were. */
  nextUnsent(): WarmItem | undefined {
    if (this.#unsent >= this.#items.length) return undefined;
    return this.#items[this.#unsent++];
  }

  /**
   * Records a URL's outcome. True when this settled it; false when it was settled already,
   * except that a fetcher's late answer replaces a timeout (the report then says what really
   * happened; metrics counted the timeout and are left alone).
   */
  settle(item: WarmItem, outcome: WarmOutcome, details: { status?: number | undefined; reason?: string | undefined } = {}): boolean {
    const first = item.state === 'pending';
    if (!first && !(item.state === 'failed' && item.reason === TIMEOUT_REASON)) return false;
    this.#counts[item.state]--;
    this.#counts[outcome]++;
    item.state = outcome;
    item.status = details.status;
    item.reason = details.reason;
    if (first && this.#counts.pending === 0) {
      this.finishedAt = new Date();
      this.#finish();
    }
    return first;
  }

  /** Notes a gateway that holds the URL; at most `max` per URL (GATEWAY_REGISTRY_MAX), so fake ids cannot grow it. */
  storedOn(item: WarmItem, gatewayId: string, max: number): boolean {
    item.storedOn ??= new Set();
    if (item.storedOn.has(gatewayId)) return true;
    if (item.storedOn.size >= max) return false;
    item.storedOn.add(gatewayId);
    return true;
  }

  /** Whether each stored URL is held by at least `gateways` gateways (the fetcher and every peer). */
  heldByAll(gateways: number): boolean {
    return this.#items.every((item) => item.state !== 'stored' || (item.storedOn?.size ?? 0) >= gateways);
  }

  /** `GET /cache/warm/:id`: the counts, and one page of URLs; `next` is the offset of the following page, or null. */
  report(page: WarmReportPage): WarmReport {
    const urls = this.#items.slice(page.offset, page.offset + page.limit).map((item) => ({
      url: item.url,
      path: item.path,
      state: item.state,
      ...(item.fetchedBy === undefined ? {} : { fetchedBy: item.fetchedBy }),
      ...(item.status === undefined ? {} : { status: item.status }),
      ...(item.reason === undefined ? {} : { reason: item.reason }),
      storedOn: item.storedOn === undefined ? [] : [...item.storedOn].sort(),
    }));
    const end = page.offset + urls.length;
    return {
      id: this.id,
      state: this.state,
      ...(this.cache === undefined ? {} : { cache: this.cache }),
      ...(this.sitemap === undefined ? {} : { sitemap: this.sitemap }),
      ...(this.requestedBy === undefined ? {} : { requestedBy: this.requestedBy }),
      total: this.total,
      ...this.counts(),
      startedAt: this.startedAt.toISOString(),
      ...(this.finishedAt === undefined ? {} : { finishedAt: this.finishedAt.toISOString() }),
      urls,
      offset: page.offset,
      next: end < this.total ? end : null,
    };
  }
}
