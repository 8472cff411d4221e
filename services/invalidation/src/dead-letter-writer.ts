/**
 * Writes the dead-letter record of a command the service gives up on (issue #9), durably
 * and once per command (its stream position is the msgID). The caller then terminates the
 * command, so the work queue moves on.
 */
import {
  DEAD_LETTER_PAYLOAD_MAX_BYTES,
  encodeMessage,
  publishDurably,
  streamNames,
  subjects,
  type CommandDeadLetter,
  type DeadLetterReason,
} from '@cairn/shared';
import type { JetStreamClient, JsMsg } from 'nats';

const MAX_ERROR_LENGTH = 1024;
const textDecoder = new TextDecoder();

function describeError(err: unknown): string {
  const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return message.slice(0, MAX_ERROR_LENGTH);
}

export function deadLetterOf(msg: JsMsg, reason: DeadLetterReason, err: unknown): CommandDeadLetter {
  const truncated = msg.data.length > DEAD_LETTER_PAYLOAD_MAX_BYTES;
  return {
    stream: streamNames.commands,
    seq: msg.seq,
    subject: msg.subject,
    reason,
    error: describeError(err),
    attempts: msg.info.deliveryCount,
    payload: textDecoder.decode(truncated ? msg.data.subarray(0, DEAD_LETTER_PAYLOAD_MAX_BYTES) : msg.data),
    payloadBytes: msg.data.length,
    truncated,
    deadAt: new Date().toISOString(),
  };
}

export async function writeDeadLetter(js: JetStreamClient, record: CommandDeadLetter, commandId: string): Promise<number> {
  const ack = await publishDurably(js, subjects.commandDeadLetters, encodeMessage(record), { msgID: `dead-${commandId}`, attempts: 3 });
  return ack.seq;
}
