import { describe, expect, it } from 'vitest';
import { gatewayStatuses, type ListedGateway } from './fleet-status.js';

const gateway = (gatewayId: string, appliedSeq: number, mode: ListedGateway['mode'] = 'normal'): ListedGateway => ({ gatewayId, appliedSeq, mode, sentAt: '2026-12-02T12:00:00.000Z', lastSeenAt: '2026-12-02T12:00:00.010Z' });

describe('gatewayStatuses', () => {
  it.each([
    [10, 10, 0],
    [7, 10, 3],
    [0, 10, 10],
    // A gateway may have applied events the listing does not show (not from the invalidation service).
    [12, 10, 0],
  ])('a gateway at sequence %i with the newest event at %i lags %i', (applied, newest, lag) => {
    expect(gatewayStatuses([gateway('g', applied)], newest)[0]?.lag).toBe(lag);
  });

  it('keeps each gateway its mode and order', () => {
    expect(gatewayStatuses([gateway('a', 1), gateway('b', 1, 'feed-lost')], 1).map((g) => [g.gatewayId, g.mode])).toEqual([
      ['a', 'normal'],
      ['b', 'feed-lost'],
    ]);
  });

  it("computes a gateway's hit ratio from its heartbeat's answer counts, stale answers counting as hits", () => {
    const [status] = gatewayStatuses([{ ...gateway('g', 1), lookups: { hit: 6, stale: 2, miss: 2 } }], 1);
    expect(status?.hitRatio).toBe(0.8);
  });

  it('shows no hit ratio before any lookup, nor for a heartbeat without counts', () => {
    expect(gatewayStatuses([{ ...gateway('g', 1), lookups: { hit: 0, stale: 0, miss: 0 } }, gateway('h', 1)], 1).map((g) => g.hitRatio)).toEqual([null, null]);
  });
});
