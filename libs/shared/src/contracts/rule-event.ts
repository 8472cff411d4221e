/**
 * Events on `cache.rules.<id>`: the full rule, or a delete tombstone. Deleting stream
 * messages tells live readers nothing (NATS-LMDB-NOTES §4), so a delete is a message.
 */
import { z } from 'zod';
import { ruleIdSchema, ruleSchema } from './rule.js';

export const ruleEventSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('upsert'), rule: ruleSchema }),
  z.object({ op: z.literal('delete'), id: ruleIdSchema }),
]);
export type RuleEvent = z.infer<typeof ruleEventSchema>;
