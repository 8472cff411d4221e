/**
 * The confirmation report of an invalidation (README, Invalidation): who applied it, who of
 * the gateways live at publish has not yet, and how many entries they deleted. The REST
 * answer and a NATS command's reply say the same thing.
 */
import type { InvalidationConfirmation } from '@cairn/shared';
import type { EventAcks } from './ack-tracker.js';

export function confirmationReport(id: string, acks: EventAcks, expected: readonly string[]): InvalidationConfirmation {
  const acknowledgedBy = [...acks.acknowledgedBy.keys()].sort();
  let deleted = 0;
  for (const count of acks.acknowledgedBy.values()) deleted += count;
  return { id, sequence: acks.sequence, acknowledgedBy, pending: expected.filter((g) => !acks.acknowledgedBy.has(g)), deleted };
}
