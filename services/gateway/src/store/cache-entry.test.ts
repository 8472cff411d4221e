import { describe, expect, it } from 'vitest';
import { decodeMeta, decodeWholeEntry, encodeHead, encodeWholeEntry, isWholeEntry, type EntryMeta } from './cache-entry.js';

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
    expect(decodeMeta(encodeHead(meta))).toEqual({ ...meta, groupCode: undefined });
  });

  it('reads the metadata of an entry stored whole, before #13, and its raw body bytes', () => {
    const body = Buffer.from([0, 1, 2, 255]);
    const whole = encodeWholeEntry(base, body);
    expect(isWholeEntry(whole)).toBe(true);
    expect(decodeMeta(whole)).toEqual(base);
    expect(Buffer.compare(decodeWholeEntry(whole).body, body)).toBe(0);
  });

  it('tells a head from a whole entry by its first word (#13)', () => {
    expect(isWholeEntry(encodeHead(base))).toBe(false);
  });

  it('round-trips the age, origin stale windows and withheld targeted fields of issue 10', () => {
    const meta = {
      ...base,
      initialAgeMs: 500_300,
      originStaleWhileRevalidateMs: 60_000,
      originStaleIfErrorMs: 86_400_000,
      targetedFields: { 'cairn-cache-control': 'max-age=60' },
    };
    expect(decodeMeta(encodeHead(meta))).toEqual(meta);
  });

  it('reads an entry stored before issue 10 without the fields it added (#10)', () => {
    const decoded = decodeWholeEntry(encodeWholeEntry(base, Buffer.from('old')));
    expect([decoded.meta.initialAgeMs ?? 0, decoded.meta.originStaleWhileRevalidateMs ?? 0, decoded.meta.originStaleIfErrorMs ?? 0]).toEqual([0, 0, 0]);
    expect(decoded.body.toString()).toBe('old');
  });
});

const base: EntryMeta = {
  status: 200,
  headers: { 'content-type': 'text/plain' },
  originEtag: undefined,
  originLastModified: undefined,
  noStale: false,
  cache: 'page',
  ruleId: 'r1',
  groupCode: undefined,
  tags: [],
  url: '/x',
  urlPath: '/x',
  urlQueryKey: '/x',
  storedAt: 1,
  expiresAt: 0,
  fillSeq: 1,
};

describe('entry size', () => {
  it('leaves absent optional fields out of the stored value', () => {
    const absent = encodeHead(base);
    expect(encodeHead({ ...base, targetedFields: undefined, varyOn: undefined }).length).toBe(absent.length);
  });
});
