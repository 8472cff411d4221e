/**
 * Whether a command that failed may succeed on another delivery (issue #9). Publish
 * failures NATS reports (timeouts, no responders, a stream being elected) are transient
 * and retried up to COMMAND_MAX_ATTEMPTS; an event that cannot be built, or that the
 * server refuses for its size, will fail the same way every time and is dead-lettered at once.
 */
import { CairnError } from '@cairn/shared';
import { NatsError } from 'nats';

/** JetStream API error: message size exceeds the stream's maximum. */
const MESSAGE_TOO_LARGE = 10054;
/** nats.js refuses a payload above the server's max_payload before sending it. */
const MAX_PAYLOAD_EXCEEDED = 'MAX_PAYLOAD_EXCEEDED';

export type FailureKind = 'transient' | 'unrecoverable';

export function classifyFailure(err: unknown): FailureKind {
  if (err instanceof CairnError && err.code === 'CAIRN_PUBLISH_FAILED') return 'transient';
  if (!(err instanceof NatsError)) {
    // Our own code raised it (normalizing the command, building the subject): it will again.
    return 'unrecoverable';
  }
  if (err.api_error?.err_code === MESSAGE_TOO_LARGE || err.code === MAX_PAYLOAD_EXCEEDED) return 'unrecoverable';
  // Anything else NATS raised may pass: a cluster electing a leader, a stream being restored.
  return 'transient';
}
