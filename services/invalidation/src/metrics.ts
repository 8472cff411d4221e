/** Every invalidation-service metric, declared once with its help text. */
import { collectDefaultMetrics, Counter, Registry } from 'prom-client';

export function createInvalidationMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    commands: new Counter({
      name: 'cairn_invalidation_commands_total',
      help: 'Invalidation commands turned into events, by source (nats, rest) and type.',
      labelNames: ['source', 'type'] as const,
      registers: [registry],
    }),
    rejected: new Counter({
      name: 'cairn_invalidation_rejected_total',
      help: 'Invalidation commands rejected as malformed, by source and reason (not-json, invalid:<field>).',
      labelNames: ['source', 'reason'] as const,
      registers: [registry],
    }),
    malformedMessages: new Counter({
      name: 'cairn_invalidation_malformed_messages_total',
      help: 'NATS messages (commands, heartbeats, acknowledgements) that did not match their contract and were dropped, by subject.',
      labelNames: ['subject'] as const,
      registers: [registry],
    }),
    publishFailures: new Counter({
      name: 'cairn_invalidation_publish_failures_total',
      help: 'Commands whose event could not be published yet; they are redelivered.',
      registers: [registry],
    }),
  };
}
export type InvalidationMetrics = ReturnType<typeof createInvalidationMetrics>;
