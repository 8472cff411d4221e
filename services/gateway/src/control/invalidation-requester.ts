/**
 * Asks the fleet for an invalidation on the gateway's behalf (a PURGE, README, PURGE): the
 * command goes on `cache.invalidate` like an operator's, with a `Cairn-Reply-To` inbox, and
 * the invalidation service's reply (its confirmation report once the live gateways applied
 * it) is awaited for at most `timeoutMs`. The gateway never writes an invalidation event
 * itself: the service validates, normalizes and publishes it, as for every other command.
 */
import { decodeMessage, encodeMessage, headers as cairnHeaders, invalidationReplySchema, subjects, type InvalidationCommand, type InvalidationConfirmation } from '@cairn/shared';
import { headers as natsHeaders, nuid, type NatsConnection, type Subscription } from 'nats';

export type InvalidationRequestResult =
  /** The event was published; the report lists who applied it (absent from a service that does not wait). */
  | { kind: 'confirmed'; report: Partial<InvalidationConfirmation> & { id: string } }
  | { kind: 'timeout' }
  /** `not-queued`: JetStream did not take the command; otherwise the service's error code. */
  | { kind: 'failed'; problem: string; cause?: unknown };

/** Control characters cannot travel in a NATS header value: each becomes `?`. */
function headerSafe(value: string): string {
  let out = '';
  for (const char of value) {
    const code = char.charCodeAt(0);
    out += code < 0x20 || code === 0x7f ? '?' : char;
  }
  return out;
}

export class InvalidationRequester {
  readonly #nc: NatsConnection;

  constructor(nc: NatsConnection) {
    this.#nc = nc;
  }

  async request(command: InvalidationCommand, requestedBy: string | undefined, timeoutMs: number): Promise<InvalidationRequestResult> {
    // Not the connection's inbox: a gateway connected as its NATS user takes replies on
    // `_INBOX_gateway.…`, which the invalidation service refuses as a Cairn-Reply-To.
    const inbox = subjects.gatewayReply(nuid.next());
    let subscription: Subscription | undefined;
    let timer: NodeJS.Timeout | undefined;
    const reply = new Promise<InvalidationRequestResult>((resolve) => {
      subscription = this.#nc.subscribe(inbox, { max: 1, callback: (err, msg) => resolve(err === null ? resultOf(msg.data) : { kind: 'failed', problem: 'reply-lost', cause: err }) });
      timer = setTimeout(() => resolve({ kind: 'timeout' }), timeoutMs);
    });
    const h = natsHeaders();
    h.set(cairnHeaders.natsReplyTo, inbox);
    if (requestedBy !== undefined && requestedBy !== '') h.set(cairnHeaders.natsRequestedBy, headerSafe(requestedBy));
    // A JetStream publish: its acknowledgement says the command is queued (the subject is a work-queue stream).
    const queued = this.#nc
      .jetstream()
      .publish(subjects.invalidationCommands, encodeMessage(command), { headers: h, timeout: timeoutMs })
      .then(
        () => new Promise<InvalidationRequestResult>(() => undefined),
        (err: unknown): InvalidationRequestResult => ({ kind: 'failed', problem: 'not-queued', cause: err }),
      );
    try {
      return await Promise.race([reply, queued]);
    } finally {
      clearTimeout(timer);
      subscription?.unsubscribe();
    }
  }
}

function resultOf(data: Uint8Array): InvalidationRequestResult {
  const decoded = decodeMessage(invalidationReplySchema, data);
  if (!decoded.ok) return { kind: 'failed', problem: 'malformed-reply', cause: new Error(decoded.error) };
  const reply = decoded.value;
  if ('error' in reply) return { kind: 'failed', problem: reply.error };
  const { id, sequence, acknowledgedBy, pending, deleted } = reply;
  return { kind: 'confirmed', report: { id, sequence, acknowledgedBy, pending, deleted } };
}
