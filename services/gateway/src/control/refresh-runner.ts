/**
 * Refresh invalidations (README, Active caching): the gateway the invalidation service chose
 * (`refreshBy`) fetches again every entry it holds that the event marked, ahead of clients,
 * and its fills replicate to the peers, which serve their copies STALE meanwhile. Tag and URL
 * events find their entries through the indexes; group and cache events walk the heads, a
 * page per event-loop turn. Entries filled after the event are already current.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { InvalidationEvent, Logger } from '@cairn/shared';
import type { LmdbStore } from '../store/lmdb-store.js';
import type { EntryMeta } from '../store/cache-entry.js';
import { isVariantMarker } from '../store/variants.js';
import type { ActiveFills } from './active-fills.js';

/** Entries one refresh event fetches again at most; the rest refresh on their next hit. */
const MAX_REFRESHED = 10_000;
const SCAN_PAGE = 100;

export class RefreshRunner {
  readonly #store: LmdbStore;
  readonly #fills: ActiveFills;
  readonly #logger: Logger;

  constructor(store: LmdbStore, fills: ActiveFills, logger: Logger) {
    this.#store = store;
    this.#fills = fills;
    this.#logger = logger;
  }

  async run(event: InvalidationEvent, seq: number): Promise<void> {
    const marked = await this.#marked(event, seq);
    const outcomes = await Promise.all(marked.map((meta) => this.#fills.run('refresh', { url: meta.url, fields: meta.fillFields ?? {}, cache: meta.cache, force: true })));
    const stored = outcomes.filter((o) => o.outcome === 'stored').length;
    this.#logger.info({ seq, kind: event.kind, entries: marked.length, stored }, 'refresh fetched again');
  }

  async #marked(event: InvalidationEvent, seq: number): Promise<EntryMeta[]> {
    const applies = (meta: EntryMeta) => !isVariantMarker(meta) && meta.fillSeq < seq && (event.cache === 'all' || event.cache === meta.cache);
    const key = event.key ?? '';
    if (event.kind === 'tag') return this.#store.indexed('tag', key, MAX_REFRESHED).map((e) => e.meta).filter((meta) => applies(meta) && meta.tags.includes(key));
    if (event.kind === 'url') {
      const q = key.indexOf('?');
      const path = q === -1 ? key : key.slice(0, q);
      return this.#store
        .indexed('url', path, MAX_REFRESHED)
        .map((e) => e.meta)
        .filter((meta) => applies(meta) && meta.urlPath === path && (q === -1 || meta.urlQueryKey === key));
    }
    const out: EntryMeta[] = [];
    let after: string | undefined;
    for (;;) {
      const page = this.#store.scan(after, SCAN_PAGE);
      for (const { meta } of page) if (applies(meta) && (event.kind === 'scope' || meta.groupCode === key) && out.length < MAX_REFRESHED) out.push(meta);
      if (page.length < SCAN_PAGE || out.length >= MAX_REFRESHED) return out;
      after = page[page.length - 1]!.key;
      await nextTurn();
    }
  }
}
