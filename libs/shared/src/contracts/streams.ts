/**
 * One config per JetStream stream (README, the streams table). Only nats-server 2.9 features: the
 * 2.9 server silently drops fields it does not know (checked on nats-server 2.9).
 */
import { DiscardPolicy, RetentionPolicy, StorageType, type StreamConfig } from 'nats';
import { subjects } from './subjects.js';

export const streamNames = {
  rules: 'CACHE_RULES',
  commands: 'CACHE_COMMANDS',
  invalidations: 'CACHE_INVALIDATIONS',
  deadLetters: 'CACHE_DEAD_LETTERS',
} as const;

/**
 * Bounds of the dead-letter stream (issue #9): the newest records are kept, older ones
 * discarded, so a flood of unusable commands cannot grow it without limit.
 */
export const DEAD_LETTER_MAX_MSGS = 10_000;
export const DEAD_LETTER_MAX_BYTES = 64 * 1024 * 1024;

/** How many revisions of each rule the rules stream keeps (`GET /rules/:id/history`). */
export const RULE_HISTORY_PER_SUBJECT = 10;
const NANOS_PER_MS = 1_000_000;
/** JetStream's de-duplication window for `msgID`s: covers retries across a NATS restart. */
const DUPLICATE_WINDOW_MS = 2 * 60_000;

export interface StreamOptions {
  replicas: number;
  invalidationRetentionMs: number;
}

export function streamConfigs(options: StreamOptions): Array<Partial<StreamConfig> & { name: string }> {
  const common = {
    storage: StorageType.File,
    num_replicas: options.replicas,
    duplicate_window: DUPLICATE_WINDOW_MS * NANOS_PER_MS,
  };
  return [
    {
      ...common,
      name: streamNames.rules,
      subjects: [subjects.allRules],
      retention: RetentionPolicy.Limits,
      max_msgs_per_subject: RULE_HISTORY_PER_SUBJECT,
      discard: DiscardPolicy.Old,
    },
    {
      ...common,
      name: streamNames.commands,
      subjects: [subjects.invalidationCommands],
      retention: RetentionPolicy.Workqueue,
      discard: DiscardPolicy.Old,
    },
    {
      ...common,
      name: streamNames.invalidations,
      subjects: [subjects.allInvalidations],
      retention: RetentionPolicy.Limits,
      max_msgs_per_subject: 1,
      max_age: options.invalidationRetentionMs * NANOS_PER_MS,
      discard: DiscardPolicy.Old,
    },
    {
      ...common,
      name: streamNames.deadLetters,
      subjects: [subjects.allDeadLetters],
      retention: RetentionPolicy.Limits,
      max_msgs: DEAD_LETTER_MAX_MSGS,
      max_bytes: DEAD_LETTER_MAX_BYTES,
      max_age: options.invalidationRetentionMs * NANOS_PER_MS,
      discard: DiscardPolicy.Old,
    },
  ];
}
