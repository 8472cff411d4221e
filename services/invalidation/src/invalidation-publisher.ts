/** Publishes normalized invalidation events on their target's subject, durably. */
import { encodeMessage, publishDurably, subjects, type InvalidationEvent } from '@cairn/shared';
import type { JetStreamClient } from 'nats';

/** Publishes an event; `msgID` must be the same for every attempt at the same command. */
export async function publishInvalidation(js: JetStreamClient, event: InvalidationEvent, msgID: string): Promise<number> {
  const ack = await publishDurably(js, subjects.invalidation(event.kind, event.cache, event.key, event.mode), encodeMessage(event), { msgID });
  return ack.seq;
}
