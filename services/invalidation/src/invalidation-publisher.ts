/**
 * Publishes normalized invalidation events on their target's subject, durably, marked with
 * `Cairn-Publisher` so gateways can tell them from anything else on those subjects (#9).
 * The subject's key token is bounded (long keys are hashed); the full key is in the payload.
 */
import { encodeMessage, headers as cairnHeaders, invalidationPublisherHeaders, publishDurably, subjects, type InvalidationEvent } from '@cairn/shared';
import type { JetStreamClient } from 'nats';

/**
 * Publishes an event; `msgID` must be the same for every attempt at the same command.
 * `author`: the authenticated user who asked (Cairn-Author), when one did.
 */
export async function publishInvalidation(js: JetStreamClient, event: InvalidationEvent, msgID: string, attempts?: number, author?: string): Promise<number> {
  const h = invalidationPublisherHeaders();
  if (author !== undefined) h.set(cairnHeaders.natsAuthor, author);
  const subject = subjects.invalidation(event.kind, event.cache, event.key, event.mode);
  const ack = await publishDurably(js, subject, encodeMessage(event), { msgID, headers: h, ...(attempts === undefined ? {} : { attempts }) });
  return ack.seq;
}
