import { describe, expect, it } from 'vitest';
import { decodeEntry, encodeEntry, type EntryMeta } from './cache-entry.js';

describe('cache entry codec', () => {
  it('round-trips the metadata and the raw body bytes', () => {
    const meta: EntryMeta = {
      status: 200,
      headers: { 'content-type': 'text/plain', link: ['<a>; rel=preload', '<b>; rel=preload'] },
      originEtag: '"v1"',
      originLastModified: undefined,
      noStale: false,
      cache: 'page',
      ruleId: 'r1',
      groupCode: undefined,
      tags: ['news'],
      url: '/x?y=1',
      urlPath: '/x',
      urlQueryKey: '/x?y=1',
      storedAt: 1,
      expiresAt: 0,
      fillSeq: 42,
    };
    const body = Buffer.from([0, 1, 2, 255]);
    const decoded = decodeEntry(encodeEntry(meta, body));
    expect(decoded.meta).toEqual({ ...meta, groupCode: undefined });
    expect(Buffer.compare(decoded.body, body)).toBe(0);
  });
});
