/**
 * The clock-free invalidation state (README, Invalidation): for each target (a whole cache, a
 * group within a scope, a tag, a URL) the highest CACHE_INVALIDATIONS sequence of a hard
 * and of a soft purge that hit it. An entry is invalid iff an applicable target's sequence
 * exceeds the entry's fillSeq; a hard purge wins over a soft one.
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

/** What the map says of an entry: valid; soft-purged (stale, may be served while it is refreshed); hard-purged (never served again). */
export const Verdict = { Valid: 0, Soft: 1, Hard: 2 } as const;
export type Verdict = (typeof Verdict)[keyof typeof Verdict];

interface Marks {
  hard: number;
  soft: number;
}

const groupKey = (cache: CacheScope, groupCode: string): string => `${cache}\u0000${groupCode}`;

export class InvalidationMap {
  readonly #scope: Record<CacheScope, Marks> = { api: { hard: 0, soft: 0 }, page: { hard: 0, soft: 0 }, all: { hard: 0, soft: 0 } };
  readonly #groups = new Map<string, Marks>();
  readonly #tags = new Map<string, Marks>();
  readonly #urls = new Map<string, Marks>();
  // The verdict under way; match() runs synchronously, so one pair per map suffices.
  #hard = 0;
  #soft = 0;

  apply(event: InvalidationEvent, seq: number): void {
    switch (event.kind) {
      case 'scope':
        raise(this.#scope[event.cache], event.mode, seq);
        return;
      case 'group':
        raise(marksFor(this.#groups, groupKey(event.cache, event.key as string)), event.mode, seq);
        return;
      case 'tag':
        raise(marksFor(this.#tags, event.key as string), event.mode, seq);
        return;
      case 'url':
        raise(marksFor(this.#urls, event.key as string), event.mode, seq);
        return;
    }
  }

  /** Hard, soft or valid for an entry filled at `fillSeq`. */
  verdict(entry: InvalidationSubject, fillSeq: number): Verdict {
    this.#hard = 0;
    this.#soft = 0;
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
    return this.#soft > fillSeq ? Verdict.Soft : Verdict.Valid;
  }

  isInvalidated(entry: InvalidationSubject, fillSeq: number): boolean {
    return this.verdict(entry, fillSeq) !== Verdict.Valid;
  }

  #consider(marks: Marks | undefined): void {
    if (marks === undefined) return;
    if (marks.hard > this.#hard) this.#hard = marks.hard;
    if (marks.soft > this.#soft) this.#soft = marks.soft;
  }

  clear(): void {
    for (const marks of Object.values(this.#scope)) marks.hard = marks.soft = 0;
    this.#groups.clear();
    this.#tags.clear();
    this.#urls.clear();
  }
}

function marksFor(map: Map<string, Marks>, key: string): Marks {
  let marks = map.get(key);
  if (marks === undefined) map.set(key, (marks = { hard: 0, soft: 0 }));
  return marks;
}

function raise(marks: Marks, mode: InvalidationEvent['mode'], seq: number): void {
  if (marks[mode] < seq) marks[mode] = seq;
}
