/**
 * The clock-free invalidation state (DESIGN.md §5): for each target (a whole cache, a
 * group within a scope, a tag) the highest CACHE_INVALIDATIONS sequence that hit it.
 * An entry is invalid iff an applicable target's sequence exceeds the entry's fillSeq.
 */
import type { CacheName, CacheScope, InvalidationEvent } from '@cairn/shared';

export interface InvalidationSubject {
  cache: CacheName;
  groupCode: string | undefined;
  tags: readonly string[];
}

const groupKey = (cache: CacheScope, groupCode: string): string => `${cache}\u0000${groupCode}`;

export class InvalidationMap {
  readonly #scope: Record<CacheScope, number> = { api: 0, page: 0, all: 0 };
  readonly #groups = new Map<string, number>();
  readonly #tags = new Map<string, number>();

  apply(event: InvalidationEvent, seq: number): void {
    switch (event.kind) {
      case 'scope':
        this.#scope[event.cache] = Math.max(this.#scope[event.cache], seq);
        return;
      case 'group':
        raise(this.#groups, groupKey(event.cache, event.key as string), seq);
        return;
      case 'tag':
        raise(this.#tags, event.key as string, seq);
        return;
    }
  }

  /** The sequence of the newest event that applies to the entry, or 0. */
  latestFor(entry: InvalidationSubject): number {
    let latest = Math.max(this.#scope.all, this.#scope[entry.cache]);
    if (entry.groupCode !== undefined && this.#groups.size > 0) {
      latest = Math.max(
        latest,
        this.#groups.get(groupKey('all', entry.groupCode)) ?? 0,
        this.#groups.get(groupKey(entry.cache, entry.groupCode)) ?? 0,
      );
    }
    if (this.#tags.size > 0) for (const tag of entry.tags) latest = Math.max(latest, this.#tags.get(tag) ?? 0);
    return latest;
  }

  isInvalidated(entry: InvalidationSubject, fillSeq: number): boolean {
    return this.latestFor(entry) > fillSeq;
  }

  clear(): void {
    this.#scope.api = this.#scope.page = this.#scope.all = 0;
    this.#groups.clear();
    this.#tags.clear();
  }
}

function raise(map: Map<string, number>, key: string, seq: number): void {
  const current = map.get(key);
  if (current === undefined || current < seq) map.set(key, seq);
}
