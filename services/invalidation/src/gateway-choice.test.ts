import { describe, expect, it } from 'vitest';
import { chooseGateway } from './gateway-choice.js';

const keys = Array.from({ length: 3000 }, (_, i) => `/products/${i}`);

describe('chooseGateway', () => {
  it('chooses nobody when no gateway is live', () => {
    expect(chooseGateway([], '/a')).toBeUndefined();
  });

  it('chooses the same gateway for a key whatever the order of the ids', () => {
    for (const key of keys.slice(0, 100)) expect(chooseGateway(['gw-a', 'gw-b', 'gw-c'], key)).toBe(chooseGateway(['gw-c', 'gw-a', 'gw-b'], key));
  });

  it('spreads keys evenly over the gateways', () => {
    const counts = new Map<string, number>();
    for (const key of keys) {
      const id = chooseGateway(['gw-1', 'gw-2', 'gw-3'], key) as string;
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    expect([...counts.keys()].sort()).toEqual(['gw-1', 'gw-2', 'gw-3']);
    for (const count of counts.values()) expect(count).toBeGreaterThan(850);
  });

  it('moves only the keys of a gateway that leaves', () => {
    for (const key of keys) {
      const before = chooseGateway(['gw-1', 'gw-2', 'gw-3'], key);
      const after = chooseGateway(['gw-1', 'gw-3'], key);
      if (before !== 'gw-2') expect(after).toBe(before);
    }
  });
});
