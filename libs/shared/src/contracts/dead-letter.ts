/**
 * The dead-letter record (issue #9): a command the invalidation service gave up on, kept on
 * CACHE_DEAD_LETTERS so an operator can see what was not applied and why, while the work
 * queue moves on. It describes the command; it is never replayed automatically.
 */
import { z } from 'zod';

/** Original payload bytes kept in a record; the rest is cut (`truncated: true`). */
export const DEAD_LETTER_PAYLOAD_MAX_BYTES = 64 * 1024;

/**
 * `attempts-exhausted`: every allowed delivery failed with a transient error;
 * `unrecoverable`: it can never be applied (the event cannot be built or is refused).
 */
export const deadLetterReasonSchema = z.enum(['attempts-exhausted', 'unrecoverable']);
export type DeadLetterReason = z.infer<typeof deadLetterReasonSchema>;

export const commandDeadLetterSchema = z.strictObject({
  /** Where the command was: stream, sequence, subject. */
  stream: z.string().min(1),
  seq: z.int().positive(),
  subject: z.string().min(1),
  reason: deadLetterReasonSchema,
  /** The last error, in words (bounded). */
  error: z.string().max(1024),
  attempts: z.int().positive(),
  /** The payload as UTF-8 text, at most DEAD_LETTER_PAYLOAD_MAX_BYTES of it. */
  payload: z.string(),
  payloadBytes: z.int().nonnegative(),
  truncated: z.boolean(),
  /** Wall-clock time for humans. */
  deadAt: z.iso.datetime(),
});
export type CommandDeadLetter = z.infer<typeof commandDeadLetterSchema>;
