/**
 * The clock-free invalidation state (README, Invalidation): for each target (a whole cache, a
 * group within a scope, a tag, a URL) the highest CACHE_INVALIDATIONS sequence of a hard
 * of a soft purge and of a refresh that hit it. An entry is invalid iff an applicable target's
 * sequence exceeds the entry's fillSeq; a hard purge wins over a soft one, a soft one over a
 * refresh (which serves stale for longer).
 */
import { urlInvalidationKeyOf, type CacheName, type CacheScope, type InvalidationEvent } from '@cairn/shared';

export interface InvalidationSubject {
  cache: CacheName;
  groupCode: string | undefined;
  tags: readonly string[];
  /** The request target the entry was filled for. */
  url: string;
  /** Its `url` invalidation keys: the normalized path, and path plus sorted query (stored since issue 5). */
  urlPath?: string | undefined;
  urlQueryKey?: string | undefined;
}

/**
 * What the map says of an entry: valid; soft-purged (stale, may be served while it is
 * refreshed); hard-purged (never served again); refresh pending (stale until the new answer
 * one gateway fetches for the fleet reaches this one).
 */
export const Verdict = { Valid: 0, Soft: 1, Hard: 2, Refresh: 3 } as const;
export type Verdict = (typeof Verdict)[keyof typeof Verdict];

interface Marks {
  hard: number;
  soft: number;
  refresh: number;
  /** The latest refresh's arrival here (wall-clock ms: it decides who fetches, never validity). */
  refreshAt: number;
  /** The gateway the latest refresh chose to fetch again, if any. */
  refreshBy: string | undefined;
}

/** The refresh behind a Refresh verdict: when it arrived and which gateway fetches for the fleet. */
export interface PendingRefresh {
  appliedAt: number;
  refreshBy: string | undefined;
}

const noMarks = (): Marks => ({ hard: 0, soft: 0, refresh: 0, refreshAt: 0, refreshBy: undefined });

const groupKey = (cache: CacheScope, groupCode: string): string => `${cache}\u0000${groupCode}`;

export class InvalidationMap {
  readonly #scope: Record<CacheScope, Marks> = { api: noMarks(), page: noMarks(), all: noMarks() };
  readonly #groups = new Map<string, Marks>();
  readonly #tags = new Map<string, Marks>();
  readonly #urls = new Map<string, Marks>();
  // The verdict under way; match() runs synchronously, so one pair per map suffices.
  #hard = 0;
  #soft = 0;
  #refresh: Marks | undefined = undefined;

  apply(event: InvalidationEvent, seq: number, now = Date.now()): void {
    switch (event.kind) {
      case 'scope':
        return raise(this.#scope[event.cache], event, seq, now);
      case 'group':
        return raise(marksFor(this.#groups, groupKey(event.cache, event.key as string)), event, seq, now);
      case 'tag':
        return raise(marksFor(this.#tags, event.key as string), event, seq, now);
      case 'url':
        return raise(marksFor(this.#urls, event.key as string), event, seq, now);
    }
  }

  /** After a Refresh verdict: the refresh that gave it (read before the next verdict). */
  get pendingRefresh(): PendingRefresh | undefined {
    const marks = this.#refresh;
    return marks === undefined ? undefined : { appliedAt: marks.refreshAt, refreshBy: marks.refreshBy };
  }

  /** Hard, soft or valid for an entry filled at `fillSeq`. */
  verdict(entry: InvalidationSubject, fillSeq: number): Verdict {
    this.#hard = 0;
    this.#soft = 0;
    this.#refresh = undefined;
    this.#consider(this.#scope.all);
    this.#consider(this.#scope[entry.cache]);
    if (entry.groupCode !== undefined && this.#groups.size > 0) {
      this.#consider(this.#groups.get(groupKey('all', entry.groupCode)));
      this.#consider(this.#groups.get(groupKey(entry.cache, entry.groupCode)));
    }
    if (this.#tags.size > 0) for (const tag of entry.tags) this.#consider(this.#tags.get(tag));
    if (this.#urls.size > 0) {
      const path = entry.urlPath ?? urlInvalidationKeyOf(entry.url.split('?')[0] as string);
      this.#consider(this.#urls.get(path));
      this.#consider(this.#urls.get(entry.urlQueryKey ?? urlInvalidationKeyOf(entry.url)));
    }
    if (this.#hard > fillSeq) return Verdict.Hard;
    if (this.#soft > fillSeq) return Verdict.Soft;
    // #consider set it (TypeScript keeps the narrowing of the reset above).
    const refresh = this.#refresh as Marks | undefined;
    return refresh !== undefined && refresh.refresh > fillSeq ? Verdict.Refresh : Verdict.Valid;
  }

  isInvalidated(entry: InvalidationSubject, fillSeq: number): boolean {
    return this.verdict(entry, fillSeq) !== Verdict.Valid;
  }

  #consider(marks: Marks | undefined): void {
    if (marks === undefined) return;
    if (marks.hard > this.#hard) this.#hard = marks.hard;
    if (marks.soft > this.#soft) this.#soft = marks.soft;
    if (marks.refresh > (this.#refresh?.refresh ?? 0)) this.#refresh = marks;
  }

  clear(): void {
    for (const cache of ['api', 'page', 'all'] as const) this.#scope[cache] = noMarks();
    this.#groups.clear();
    this.#tags.clear();
    this.#urls.clear();
  }
}

function marksFor(map: Map<string, Marks>, key: string): Marks {
  let marks = map.get(key);
  if (marks === undefined) map.set(key, (marks = noMarks()));
  return marks;
}

function raise(marks: Marks, event: InvalidationEvent, seq: number, now: number): void {
  if (marks[event.mode] >= seq) return;
  marks[event.mode] = seq;
  if (event.mode !== 'refresh') return;
  marks.refreshAt = now;
  marks.refreshBy = event.refreshBy;
}
