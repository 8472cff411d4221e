/**
 * What the invalidation service publishes on a command's `Cairn-Reply-To` subject (README,
 * Invalidation): the published event, with the confirmation report of `POST /cache/invalidate`
 * (who applied it, who of the gateways live at publish has not yet) unless the command asked
 * `runAsync`; or an error. Readers (a gateway's PURGE) decode it with this schema.
 */
import { z } from 'zod';
import { invalidationEventSchema } from './invalidation.js';

export const invalidationConfirmationSchema = z.object({
  id: z.string().min(1),
  sequence: z.number().int().positive().optional(),
  acknowledgedBy: z.array(z.string()),
  pending: z.array(z.string()),
  deleted: z.number().int().nonnegative(),
});
/** The REST answer's body, and the confirmed part of a NATS reply. */
export type InvalidationConfirmation = z.infer<typeof invalidationConfirmationSchema>;

export const invalidationReplySchema = z.union([
  invalidationConfirmationSchema.partial({ acknowledgedBy: true, pending: true, deleted: true }).extend({ event: invalidationEventSchema }),
  z.object({ error: z.string().min(1), message: z.string(), reason: z.string().optional() }),
]);
export type InvalidationReply = z.infer<typeof invalidationReplySchema>;
