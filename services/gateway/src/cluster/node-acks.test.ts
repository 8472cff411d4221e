import { describe, expect, it } from 'vitest';
import { NodeAcks } from './node-acks.js';

type Ack = [string, number, number];

function node(): { acks: Ack[]; node: NodeAcks } {
  const acks: Ack[] = [];
  return { acks, node: new NodeAcks((eventId, seq, deleted) => acks.push([eventId, seq, deleted])) };
}

const NONE = { hit: 0, stale: 0, miss: 0 };
const serving = (appliedSeq: number, feedLost = false, lookups = NONE) => ({ ready: true, appliedSeq, feedLost, lookups });

describe('NodeAcks', () => {
  it('acks an event once every serving worker applied it, with the deletions summed', () => {
    const { acks, node: n } = node();
    n.state(0, serving(4));
    n.state(1, serving(4));
    n.applied(1, 'e', 5, 0);
    expect(acks).toEqual([]);
    n.applied(0, 'e', 5, 3);
    expect(acks).toEqual([['e', 5, 3]]);
  });

  it('does not wait for a worker that was not serving when the event was first applied', () => {
    const { acks, node: n } = node();
    n.state(0, serving(4));
    n.state(1, { ready: false, appliedSeq: 0, feedLost: false, lookups: NONE });
    n.applied(0, 'e', 5, 1);
    expect(acks).toEqual([['e', 5, 1]]);
  });

  it('stops waiting for a worker that exits', () => {
    const { acks, node: n } = node();
    n.state(0, serving(4));
    n.state(1, serving(4));
    n.applied(0, 'e', 5, 0);
    n.gone(1);
    expect(acks).toEqual([['e', 5, 0]]);
  });

  it('acks an event once, however late a worker reports it', () => {
    const { acks, node: n } = node();
    n.state(0, serving(4));
    n.applied(0, 'e', 5, 2);
    n.state(1, serving(5));
    n.applied(1, 'e', 5, 0);
    expect(acks).toEqual([['e', 5, 2]]);
  });

  it('heartbeats the lowest applied sequence among serving workers', () => {
    const { node: n } = node();
    n.state(0, serving(7));
    n.state(1, serving(5));
    n.state(2, { ready: false, appliedSeq: 1, feedLost: true, lookups: NONE });
    expect(n.heartbeat()).toMatchObject({ appliedSeq: 5, mode: 'normal' });
  });

  it('heartbeats feed-lost when any serving worker lost its feed', () => {
    const { node: n } = node();
    n.state(0, serving(7));
    n.state(1, serving(7, true));
    expect(n.heartbeat()).toMatchObject({ appliedSeq: 7, mode: 'feed-lost' });
  });

  it('heartbeats the answers of every worker, those of exited workers kept', () => {
    const { node: n } = node();
    n.state(0, serving(7, false, { hit: 5, stale: 1, miss: 2 }));
    n.state(1, serving(7, false, { hit: 3, stale: 0, miss: 1 }));
    expect(n.heartbeat().lookups).toEqual({ hit: 8, stale: 1, miss: 3 });
    // Worker 1 restarts: its successor counts from zero, the node does not go back.
    n.gone(1);
    n.state(1, { ready: false, appliedSeq: 0, feedLost: false, lookups: { hit: 1, stale: 0, miss: 0 } });
    expect(n.heartbeat().lookups).toEqual({ hit: 9, stale: 1, miss: 3 });
  });
});
