import { describe, expect, it } from 'vitest';
import { formatCacheStatus } from './cache-status.js';

describe('formatCacheStatus', () => {
  it.each([
    [{ hit: true, ttlSeconds: 42, detail: 'fresh' }, 'cairn; hit; ttl=42; detail=fresh'],
    [{ hit: true, ttlSeconds: -3, detail: 'stale-while-revalidate' }, 'cairn; hit; ttl=-3; detail=stale-while-revalidate'],
    [{ hit: false, fwd: 'uri-miss', fwdStatus: 200, stored: true, ttlSeconds: 300, detail: 'absent' }, 'cairn; fwd=uri-miss; fwd-status=200; stored; ttl=300; detail=absent'],
    [{ hit: false, fwd: 'miss', fwdStatus: 200, collapsed: true, detail: 'invalidated' }, 'cairn; fwd=miss; fwd-status=200; collapsed; detail=invalidated'],
    [{ hit: false, fwd: 'stale', fwdStatus: 304, ttlSeconds: 60, detail: 'revalidated' }, 'cairn; fwd=stale; fwd-status=304; ttl=60; detail=revalidated'],
    [{ hit: false, fwd: 'bypass', fwdStatus: 200, detail: 'no-rule' }, 'cairn; fwd=bypass; fwd-status=200; detail=no-rule'],
    [{ hit: false, fwd: 'request', fwdStatus: 200, detail: 'request-no-cache' }, 'cairn; fwd=request; fwd-status=200; detail=request-no-cache'],
  ] as const)('%j → %s', (status, expected) => {
    expect(formatCacheStatus(status)).toBe(expected);
  });
});
