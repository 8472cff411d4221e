import { afterEach, describe, expect, it, vi } from 'vitest';
import { OriginBusyError } from '../errors.js';
import { ConnectionSlots, type SlotEvents } from './connection-slots.js';

function slots(max: number, queueLimit: number, queueTimeoutMs = 1000) {
  const rejected: string[] = [];
  const events: SlotEvents = { rejected: (reason) => rejected.push(reason), waiting: () => undefined, busy: () => undefined };
  return { slots: new ConnectionSlots('http://origin', max, queueLimit, queueTimeoutMs, events), rejected };
}

const never = new AbortController().signal;

describe('ConnectionSlots', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('grants slots at once up to the maximum', () => {
    const { slots: s } = slots(2, 10);
    expect(typeof s.acquire(never)).toBe('function');
    expect(typeof s.acquire(never)).toBe('function');
    const queued = s.acquire(never);
    expect(queued).toBeInstanceOf(Promise);
    expect([s.held, s.waiting]).toEqual([2, 1]);
    // It times out later; nobody waits for it here.
    (queued as Promise<unknown>).catch(() => undefined);
  });

  it('hands a released slot to the request that waited longest', async () => {
    const { slots: s } = slots(1, 10);
    const release = s.acquire(never) as () => void;
    const order: number[] = [];
    const first = Promise.resolve(s.acquire(never)).then((r) => {
      order.push(1);
      return r;
    });
    const second = Promise.resolve(s.acquire(never)).then((r) => {
      order.push(2);
      return r;
    });
    release();
    (await first)();
    (await second)();
    expect(order).toEqual([1, 2]);
    expect([s.held, s.waiting]).toEqual([0, 0]);
  });

  it('gives a slot back once however often its release is called', () => {
    const { slots: s } = slots(1, 10);
    const release = s.acquire(never) as () => void;
    release();
    release();
    expect(s.held).toBe(0);
    expect(typeof s.acquire(never)).toBe('function');
    const queued = s.acquire(never);
    expect(queued).toBeInstanceOf(Promise);
    (queued as Promise<unknown>).catch(() => undefined);
  });

  it('refuses a request at once when the queue is full', () => {
    const { slots: s, rejected } = slots(1, 1);
    expect(typeof s.acquire(never)).toBe('function');
    Promise.resolve(s.acquire(never)).catch(() => undefined);
    expect(() => s.acquire(never)).toThrow(OriginBusyError);
    expect(rejected).toEqual(['queue-full']);
  });

  it('answers a request that waited past the queue timeout with a 504', async () => {
    vi.useFakeTimers();
    const { slots: s, rejected } = slots(1, 10, 200);
    expect(typeof s.acquire(never)).toBe('function');
    const waiting = Promise.resolve(s.acquire(never));
    vi.advanceTimersByTime(200);
    await expect(waiting).rejects.toMatchObject({ code: 'CAIRN_ORIGIN_BUSY', status: 504 });
    expect([rejected, s.waiting]).toEqual([['queue-timeout'], 0]);
  });

  it('lets an abandoned request leave the queue with its signal reason', async () => {
    const { slots: s } = slots(1, 10);
    const release = s.acquire(never) as () => void;
    const controller = new AbortController();
    const waiting = Promise.resolve(s.acquire(controller.signal));
    controller.abort(new Error('client gone'));
    await expect(waiting).rejects.toThrow('client gone');
    release();
    expect([s.held, s.waiting]).toEqual([0, 0]);
  });
});
