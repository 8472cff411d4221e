import { afterEach, describe, expect, it, vi } from 'vitest';
import { FillLeases } from './fill-leases.js';
import type { SharedFailure } from './ipc.js';

type Answer = [string, number] | [string, number, SharedFailure];

/** Records only whether each answer said the asker joined after `filled`. */
function afterFillHeard(): { heard: (boolean | undefined)[]; answer: (answer: string, lease: number, failure?: SharedFailure, afterFill?: boolean) => void } {
  const heard: (boolean | undefined)[] = [];
  return { heard, answer: (_answer, _lease, _failure, afterFill) => heard.push(afterFill) };
}

function asker(): { answers: Answer[]; answer: (answer: string, lease: number, failure?: SharedFailure) => void } {
  const answers: Answer[] = [];
  return { answers, answer: (answer, lease, failure) => answers.push(failure === undefined ? [answer, lease] : [answer, lease, failure]) };
}

describe('FillLeases', () => {
  afterEach(() => vi.useRealTimers());

  it('grants the first asker the lead and makes a later asker from another worker wait', () => {
    const leases = new FillLeases(1000);
    const first = asker();
    const second = asker();
    leases.acquire('k', 0, 5, first.answer);
    leases.acquire('k', 1, 5, second.answer);
    expect(first.answers).toEqual([['lead', 1]]);
    expect(second.answers).toEqual([]);
  });

  it('tells waiters the entry was stored when the leader releases with one', () => {
    const leases = new FillLeases(1000);
    const waiter = asker();
    leases.acquire('k', 0, 5, () => undefined);
    leases.acquire('k', 1, 5, waiter.answer);
    leases.release(1, 0, 'stored');
    expect(waiter.answers).toEqual([['stored', 1]]);
    expect(leases.size).toBe(0);
  });

  it('tells a waiter that joined after the leader said filled that it asked after the fill, and one that joined before that it did not', () => {
    const leases = new FillLeases(1000);
    const heard: [string, string, boolean | undefined][] = [];
    leases.acquire('k', 0, 5, () => undefined);
    leases.acquire('k', 1, 5, (answer, _lease, _failure, afterFill) => heard.push(['before', answer, afterFill]));
    leases.filled(1, 0);
    leases.acquire('k', 1, 5, (answer, _lease, _failure, afterFill) => heard.push(['after', answer, afterFill]));
    leases.release(1, 0, 'stored');
    expect(heard).toEqual([
      ['before', 'stored', false],
      ['after', 'stored', true],
    ]);
  });

  it('never tells a waiter it asked after the fill when the filled entry did not commit', () => {
    const leases = new FillLeases(1000);
    const { heard, answer } = afterFillHeard();
    leases.acquire('k', 0, 5, () => undefined);
    leases.filled(1, 0);
    leases.acquire('k', 1, 5, answer);
    leases.release(1, 0, 'not-stored');
    expect(heard).toEqual([false]);
  });

  it('ignores filled from a worker that does not lead the lease', () => {
    const leases = new FillLeases(1000);
    const { heard, answer } = afterFillHeard();
    leases.acquire('k', 0, 5, () => undefined);
    leases.filled(1, 1);
    leases.acquire('k', 1, 5, answer);
    leases.release(1, 0, 'stored');
    expect(heard).toEqual([false]);
  });

  it('reports at once that no lease is left on a key nobody fills', () => {
    const leases = new FillLeases(1000);
    const ended = vi.fn();
    leases.acquire('other', 0, 5, () => undefined);
    leases.whenEnded('k', ended);
    expect(ended).toHaveBeenCalledTimes(1);
  });

  it('reports that no lease is left on a key only once every lease on it ended, replaced ones included', () => {
    const leases = new FillLeases(1000);
    const ended = vi.fn();
    leases.acquire('k', 0, 5, () => undefined);
    // Its leader asks again: a second lease on the same key.
    leases.acquire('k', 0, 5, () => undefined);
    leases.whenEnded('k', ended);
    leases.release(2, 0, 'stored');
    expect(ended).not.toHaveBeenCalled();
    leases.release(1, 0, 'not-stored');
    expect(ended).toHaveBeenCalledTimes(1);
  });

  it('tells waiters nothing was stored when the leader releases without an entry', () => {
    const leases = new FillLeases(1000);
    const waiter = asker();
    leases.acquire('k', 0, 5, () => undefined);
    leases.acquire('k', 1, 5, waiter.answer);
    leases.release(1, 0, 'not-stored');
    expect(waiter.answers).toEqual([['not-stored', 1]]);
  });

  it('hands waiters the origin failure the leader released with', () => {
    const leases = new FillLeases(1000);
    const waiter = asker();
    const failure: SharedFailure = { code: 'CAIRN_ORIGIN_TIMEOUT', message: 'origin timed out (headers)', status: 504, details: { timeout: 'headers' } };
    leases.acquire('k', 0, 5, () => undefined);
    leases.acquire('k', 1, 5, waiter.answer);
    leases.release(1, 0, 'failed', failure);
    expect(waiter.answers).toEqual([['failed', 1, failure]]);
  });

  it('makes waiters lead when a failure comes without its description', () => {
    const leases = new FillLeases(1000);
    const waiter = asker();
    leases.acquire('k', 0, 5, () => undefined);
    leases.acquire('k', 1, 5, waiter.answer);
    leases.release(1, 0, 'failed');
    expect(waiter.answers).toEqual([['not-stored', 1]]);
  });

  it('makes an asker that applied a later invalidation lead once the older lease ended, never join it', () => {
    const leases = new FillLeases(1000);
    const later = asker();
    leases.acquire('k', 0, 5, () => undefined);
    leases.acquire('k', 1, 6, later.answer);
    expect(later.answers).toEqual([]);
    leases.release(1, 0, 'stored');
    expect(later.answers).toEqual([['lead', 2]]);
  });

  it('forgets a dead worker that waited to lead after an older lease', () => {
    const leases = new FillLeases(1000);
    leases.acquire('k', 0, 5, () => undefined);
    leases.acquire('k', 1, 6, () => undefined);
    leases.leaderGone(1);
    leases.release(1, 0, 'stored');
    expect(leases.size).toBe(0);
  });

  it('keeps the waiters of a replaced lease until its own leader releases it', () => {
    const leases = new FillLeases(1000);
    const oldWaiter = asker();
    leases.acquire('k', 0, 5, () => undefined);
    leases.acquire('k', 1, 5, oldWaiter.answer);
    // Its leader asks again (it decided locally not to join its own fill): a new lease.
    leases.acquire('k', 0, 5, () => undefined);
    expect(oldWaiter.answers).toEqual([]);
    leases.release(1, 0, 'stored');
    expect(oldWaiter.answers).toEqual([['stored', 1]]);
    expect(leases.size).toBe(1);
  });

  it('grants the same worker a new lead rather than making it wait for itself', () => {
    const leases = new FillLeases(1000);
    const again = asker();
    leases.acquire('k', 0, 5, () => undefined);
    leases.acquire('k', 0, 5, again.answer);
    expect(again.answers).toEqual([['lead', 2]]);
  });

  it('ignores a release by a worker that does not hold the lease', () => {
    const leases = new FillLeases(1000);
    const waiter = asker();
    leases.acquire('k', 0, 5, () => undefined);
    leases.acquire('k', 1, 5, waiter.answer);
    leases.release(1, 1, 'stored');
    expect(waiter.answers).toEqual([]);
  });

  it('ends a dead leader\'s leases with nothing stored, so their waiters lead', () => {
    const leases = new FillLeases(1000);
    const waiter = asker();
    leases.acquire('a', 0, 5, () => undefined);
    leases.acquire('b', 0, 5, () => undefined);
    leases.acquire('a', 1, 5, waiter.answer);
    expect(leases.leaderGone(0)).toBe(2);
    expect(waiter.answers).toEqual([['not-stored', 1]]);
    expect(leases.size).toBe(0);
  });

  it('ends a lease past its bound with nothing stored and says so', () => {
    vi.useFakeTimers();
    const timedOut: string[] = [];
    const leases = new FillLeases(1000, (key) => timedOut.push(key));
    const waiter = asker();
    leases.acquire('k', 0, 5, () => undefined);
    leases.acquire('k', 1, 5, waiter.answer);
    vi.advanceTimersByTime(999);
    expect(waiter.answers).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(waiter.answers).toEqual([['not-stored', 1]]);
    expect(timedOut).toEqual(['k']);
    leases.release(1, 0, 'stored');
    expect(waiter.answers).toHaveLength(1);
  });
});
