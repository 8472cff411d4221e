/** Entry metadata for tests that write the store directly: a 200 under one URL, never expiring. */
import type { EntryMeta } from '../src/store/cache-entry.js';

export function entryMeta(url: string, overrides: Partial<EntryMeta> = {}): EntryMeta {
  return {
    status: 200,
    headers: {},
    originEtag: undefined,
    originLastModified: undefined,
    noStale: false,
    cache: 'page',
    ruleId: 'all',
    groupCode: undefined,
    tags: [],
    url,
    urlPath: url,
    urlQueryKey: url,
    storedAt: Date.now(),
    expiresAt: 0,
    fillSeq: 1,
    ...overrides,
  };
}
