import { describe, expect, it } from 'vitest';
import type { CacheEntry, EntryMeta } from '../store/cache-entry.js';
import { hitFields, notCopiedOnHit } from './hit-fields.js';
import type { FieldValue } from './reply.js';

function entry(headers: Record<string, string | string[]>, status = 200): CacheEntry {
  const meta = { status, headers, storedAt: 0, expiresAt: 0 } as unknown as EntryMeta;
  return { meta, body: Buffer.from('hello') };
}

/** The flat list as name → value, for comparing with what the general path sets. */
function asMap(fields: readonly FieldValue[]): Map<string, FieldValue> {
  const out = new Map<string, FieldValue>();
  for (let i = 0; i < fields.length; i += 2) {
    expect(out.has(fields[i] as string), `${String(fields[i])} appears once`).toBe(false);
    out.set(fields[i] as string, fields[i + 1] as FieldValue);
  }
  return out;
}

describe('hitFields', () => {
  it('leaves out the fields the gateway withholds from clients, and still sets its own', () => {
    const map = asMap(hitFields(entry({ 'x-tags': 'a b', 'cdn-cache-control': 'max-age=9', age: '900', etag: '"v"' }), 'HIT', 'fresh', 3, 10, '', notCopiedOnHit(new Set(['x-tags', 'cdn-cache-control']))));
    expect([map.has('x-tags'), map.has('cdn-cache-control'), map.get('age'), map.get('etag')]).toEqual([false, false, '3', '"v"']);
  });

  it('holds the stored fields, then the gateway\'s own, each once', () => {
    const fields = hitFields(entry({ 'content-type': 'text/plain', etag: '"v1"', link: ['<a>', '<b>'] }), 'HIT', 'fresh', 7, 42);
    expect(Object.fromEntries(asMap(fields))).toEqual({
      'content-type': 'text/plain',
      etag: '"v1"',
      link: ['<a>', '<b>'],
      'accept-ranges': 'bytes',
      'content-length': '5',
      age: '7',
      'x-cairn-cache': 'HIT',
      'cache-status': 'cairn; hit; ttl=42; detail=fresh',
    });
  });

  it('replaces the values an older entry may still hold for the fields the hit sets', () => {
    const map = asMap(hitFields(entry({ age: '900', 'x-cairn-cache': 'MISS', 'cache-status': 'other', 'content-length': '99', 'accept-ranges': 'none' }), 'HIT', 'fresh', 1, undefined));
    expect([map.get('age'), map.get('x-cairn-cache'), map.get('cache-status'), map.get('content-length'), map.get('accept-ranges')]).toEqual(['1', 'HIT', 'cairn; hit; detail=fresh', '5', 'bytes']);
  });

  it('types a body stored without Content-Type as application/octet-stream, as the answer always was', () => {
    expect(asMap(hitFields(entry({}), 'HIT', 'fresh', 0, undefined)).get('content-type')).toBe('application/octet-stream');
  });

  it('offers no byte ranges on a stored answer other than a 200', () => {
    expect(asMap(hitFields(entry({ 'content-type': 'text/plain' }, 404), 'HIT', 'fresh', 0, undefined)).has('accept-ranges')).toBe(false);
  });

  it('rewrites Age, the outcome and Cache-Status for each answer', () => {
    const stored = entry({ 'content-type': 'text/plain' });
    expect(asMap(hitFields(stored, 'HIT', 'fresh', 1, 10)).get('age')).toBe('1');
    const map = asMap(hitFields(stored, 'STALE', 'stale-while-revalidate', 2, -1));
    expect([map.get('age'), map.get('x-cairn-cache'), map.get('cache-status')]).toEqual(['2', 'STALE', 'cairn; hit; ttl=-1; detail=stale-while-revalidate']);
  });

  it('carries nothing of the previous answer\'s entry', () => {
    hitFields(entry({ 'content-type': 'text/a', 'x-only-a': '1', link: '<a>' }), 'HIT', 'fresh', 1, 1);
    const map = asMap(hitFields(entry({ 'content-type': 'text/b' }), 'HIT', 'fresh', 5, 5));
    expect([map.get('content-type'), map.has('x-only-a'), map.has('link'), map.size]).toEqual(['text/b', false, false, 6]);
  });
});
