import { afterEach, describe, expect, it, vi } from 'vitest';
import { PeerFills } from './peer-fills.js';

describe('peer fills', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('lets a miss wait for an announced key until the announcement bound', () => {
    const fills = new PeerFills(5000);
    fills.announce('/a', 1000);
    expect(fills.filling('/a', 5999)).toBe(true);
    expect(fills.filling('/a', 6000)).toBe(false);
    expect(fills.filling('/b', 1000)).toBe(false);
  });

  it('wakes every waiter with the end the peer announced', async () => {
    const fills = new PeerFills(5000);
    fills.announce('/a', Date.now());
    const waits = [fills.wait('/a', Date.now()), fills.wait('/a', Date.now())];
    fills.end('/a', 'stored');
    expect(await Promise.all(waits)).toEqual(['stored', 'stored']);
    expect(fills.filling('/a', Date.now())).toBe(false);
  });

  it('ends a wait with timeout when the bound passes without an end', async () => {
    vi.useFakeTimers({ now: 0 });
    const fills = new PeerFills(100);
    fills.announce('/a', 0);
    const wait = fills.wait('/a', 0);
    await vi.advanceTimersByTimeAsync(100);
    expect(await wait).toBe('timeout');
  });

  it('answers timeout at once for a key nobody announced', async () => {
    expect(await new PeerFills(5000).wait('/never', Date.now())).toBe('timeout');
  });

  it('keeps the waiters of a key announced again, under the new bound', async () => {
    const fills = new PeerFills(5000);
    fills.announce('/a', 0);
    const wait = fills.wait('/a', 1);
    fills.announce('/a', 4000);
    expect(fills.filling('/a', 8000)).toBe(true);
    fills.end('/a', 'unstored');
    expect(await wait).toBe('unstored');
  });

  it('makes room when full by dropping expired announcements, oldest first', () => {
    const fills = new PeerFills(100, 3);
    fills.announce('/old-1', 0);
    fills.announce('/old-2', 10);
    fills.announce('/live', 500);
    fills.announce('/new', 550);
    expect(fills.filling('/new', 550)).toBe(true);
    expect(fills.filling('/live', 550)).toBe(true);
    expect(fills.size).toBe(2);
  });

  it('ignores a new key when full of live announcements', () => {
    const fills = new PeerFills(100, 2);
    fills.announce('/a', 0);
    fills.announce('/b', 0);
    fills.announce('/c', 50);
    expect(fills.filling('/c', 50)).toBe(false);
    expect(fills.size).toBe(2);
  });

  it('orders a re-announced key as the newest, so it outlives older ones when room is made', () => {
    const fills = new PeerFills(100, 2);
    fills.announce('/a', 0);
    fills.announce('/b', 10);
    fills.announce('/a', 90);
    fills.announce('/c', 150);
    expect(fills.filling('/a', 150)).toBe(true);
    expect(fills.filling('/b', 150)).toBe(false);
    expect(fills.filling('/c', 150)).toBe(true);
  });

  it('keeps an expired announcement a miss still waits on, so its waiter is woken', async () => {
    vi.useFakeTimers({ now: 0 });
    const fills = new PeerFills(100, 1);
    fills.announce('/a', 0);
    const wait = fills.wait('/a', 0);
    fills.announce('/b', 200);
    expect(fills.filling('/b', 200)).toBe(false);
    await vi.advanceTimersByTimeAsync(100);
    expect(await wait).toBe('timeout');
  });
});
