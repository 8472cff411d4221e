import { describe, expect, it } from 'vitest';
import { freshnessLifetimeMs } from './freshness.js';

const input = (responseHeaders: Record<string, string>) => ({ method: 'GET', url: '/x', requestHeaders: {}, status: 200, responseHeaders });

describe('freshnessLifetimeMs', () => {
  it.each([
    [{ kind: 'duration', seconds: 30 } as const, {}, 30_000],
    [{ kind: 'never' } as const, {}, Infinity],
    [{ kind: 'no_cache' } as const, {}, 0],
    [{ kind: 'origin_expires' } as const, { 'cache-control': 'max-age=60' }, 60_000],
    [{ kind: 'origin_expires' } as const, { 'cache-control': 'max-age=60, s-maxage=120' }, 120_000],
    [{ kind: 'origin_expires' } as const, { 'cache-control': 'no-store, max-age=60' }, 0],
    [{ kind: 'origin_expires' } as const, { expires: new Date(Date.now() + 3_600_000).toUTCString(), date: new Date().toUTCString() }, 3_600_000],
  ])('%j with %j → %d ms', (ttl, headers, ms) => {
    const lifetime = freshnessLifetimeMs(ttl, input(headers));
    if (ms === Infinity) expect(lifetime).toBe(Infinity);
    // Expires has one-second resolution.
    else expect(Math.abs(lifetime - ms)).toBeLessThanOrEqual(1000);
  });
});
