/**
 * One config per JetStream stream (DESIGN.md §3). Only nats-server 2.9 features: the
 * 2.9 server silently drops fields it does not know (NATS-LMDB-NOTES §6).
 */
import { DiscardPolicy, RetentionPolicy, StorageType, type StreamConfig } from 'nats';
import { subjects } from './subjects.js';

export const streamNames = {
  rules: 'CACHE_RULES',
  commands: 'CACHE_COMMANDS',
  invalidations: 'CACHE_INVALIDATIONS',
} as const;

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
  ];
}
