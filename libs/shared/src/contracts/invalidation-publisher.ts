/**
 * The mark the invalidation service puts on every CACHE_INVALIDATIONS event, and the one
 * check every reader makes of it (issue #9): set and read here only.
 */
import { headers as natsHeaders, type MsgHdrs } from 'nats';
import { headers, INVALIDATION_PUBLISHER } from './headers.js';

/** Headers for an event written as the invalidation service writes it. */
export function invalidationPublisherHeaders(): MsgHdrs {
  const h = natsHeaders();
  h.set(headers.natsPublisher, INVALIDATION_PUBLISHER);
  return h;
}

/** Whether an event carries the invalidation service's mark. */
export function isFromInvalidationService(h: MsgHdrs | undefined): boolean {
  return h?.get(headers.natsPublisher) === INVALIDATION_PUBLISHER;
}
