/**
 * Events on `cache.rules.<id>`: the full rule, or a delete tombstone. Deleting stream
 * messages tells live readers nothing (checked on nats-server 2.9), so a delete is a message.
 *
 * A rule is its last VALID event (issue 9 #7): an event that fails the schema, or names
 * another rule than its subject, changes nothing. Gateways, live or replaying, and the
 * rules service all read a subject this way, so they agree on what a rule is.
 */
import { z } from 'zod';
import { decodeMessage, type DecodeResult } from './message-codec.js';
import { ruleIdSchema, ruleSchema } from './rule.js';
import { RULE_HISTORY_PER_SUBJECT } from './streams.js';
import { ruleIdFromSubject } from './subjects.js';

export const ruleEventSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('upsert'), rule: ruleSchema }),
  z.object({ op: z.literal('delete'), id: ruleIdSchema }),
]);
export type RuleEvent = z.infer<typeof ruleEventSchema>;

/** The rule an event is about. */
export const ruleEventId = (event: RuleEvent): string => (event.op === 'upsert' ? event.rule.id : event.id);

/** Decodes a stored rule event; one whose rule id differs from its subject's was not written by Cairn. */
export function decodeRuleEvent(subject: string, data: Uint8Array): DecodeResult<RuleEvent> {
  const decoded = decodeMessage(ruleEventSchema, data);
  if (!decoded.ok || ruleEventId(decoded.value) === ruleIdFromSubject(subject)) return decoded;
  return { ok: false, error: 'rule id differs from subject', reason: 'invalid:id' };
}

/** A stored message on a rule subject, as JetStream returns it. */
export interface StoredRuleMessage {
  readonly subject: string;
  readonly seq: number;
  readonly data: Uint8Array;
}

/** What a rule subject's retained messages say: its last valid event and that event's message. */
export interface RuleRevisionState {
  event: RuleEvent | undefined;
  /** The sequence of the last valid event (the rule's revision); 0 when none is retained. */
  revision: number;
  /** The sequence of the last message on the subject, valid or not (what a CAS write expects). */
  head: number;
}

/**
 * Reads a subject's retained messages (oldest first) as every reader must: the last valid
 * event wins; malformed ones are reported to `onMalformed` and change nothing. The stream
 * keeps RULE_HISTORY_PER_SUBJECT messages per subject, so a rule followed by that many
 * malformed events has no valid revision left and is absent.
 */
export function lastValidRuleEvent(
  messages: readonly StoredRuleMessage[],
  onMalformed: (msg: StoredRuleMessage, error: string) => void,
): RuleRevisionState {
  const state: RuleRevisionState = { event: undefined, revision: 0, head: 0 };
  const retained = messages.slice(-RULE_HISTORY_PER_SUBJECT);
  for (const msg of retained) {
    state.head = msg.seq;
    const decoded = decodeRuleEvent(msg.subject, msg.data);
    if (!decoded.ok) {
      onMalformed(msg, decoded.error);
      continue;
    }
    state.event = decoded.value;
    state.revision = msg.seq;
  }
  return state;
}
