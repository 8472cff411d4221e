/**
 * Publishes normalized invalidation events on their target's subject, durably, marked with
 * `Cairn-Publisher` so gateways can tell them from anything else on those subjects (#9).
 * The subject's key token is bounded (long keys are hashed); the full key is in the payload.
 */
import { encodeMessage, invalidationPublisherHeaders, publishDurably, subjects, type InvalidationEvent } from '@cairn/shared';
import type { JetStreamClient } from 'nats';

/** Publishes an event; `msgID` must be the same for every attempt at the same command. */
export async function publishInvalidation(js: JetStreamClient, event: InvalidationEvent, msgID: string, attempts?: number): Promise<number> {
  const h = invalidationPublisherHeaders();
  const subject = subjects.invalidation(event.kind, event.cache, event.key, event.mode);
  const ack = await publishDurably(js, subject, encodeMessage(event), { msgID, headers: h, ...(attempts === undefined ? {} : { attempts }) });
  return ack.seq;
}
