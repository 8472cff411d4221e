/** Every invalidation-service metric, declared once with its help text. */
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';

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
      help: 'Invalidation commands rejected as malformed, by source and reason (not-json, invalid:body, invalid:<known top-level field>, invalid:other).',
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
    deadLetters: new Counter({
      name: 'cairn_invalidation_dead_letters_total',
      help: 'Commands given up on and recorded on CACHE_DEAD_LETTERS, by reason (attempts-exhausted, unrecoverable).',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    deadLetterFailures: new Counter({
      name: 'cairn_invalidation_dead_letter_failures_total',
      help: 'Dead-letter records that could not be written; the command is redelivered until max_deliver stops it.',
      registers: [registry],
    }),
    repliesRefused: new Counter({
      name: 'cairn_invalidation_replies_refused_total',
      help: 'Cairn-Reply-To subjects refused (outside _INBOX.> and cache.replies.>); the command was still processed.',
      registers: [registry],
    }),
    replyFailures: new Counter({
      name: 'cairn_invalidation_reply_failures_total',
      help: 'Replies to an accepted Cairn-Reply-To subject that could not be published.',
      registers: [registry],
    }),
    gatewaysRefused: new Counter({
      name: 'cairn_invalidation_gateways_refused_total',
      help: 'Heartbeats from a new gateway id dropped because the registry is full (GATEWAY_REGISTRY_MAX).',
      registers: [registry],
    }),
    acksIgnored: new Counter({
      name: 'cairn_invalidation_acks_ignored_total',
      help: 'Acknowledgements dropped: from a gateway the registry does not list as live, or beyond the per-event bound.',
      registers: [registry],
    }),
    handlerErrors: new Counter({
      name: 'cairn_invalidation_handler_errors_total',
      help: 'Core NATS messages whose handler threw; the subscription went on.',
      labelNames: ['subject'] as const,
      registers: [registry],
    }),
    warmUrls: new Counter({
      name: 'cairn_invalidation_warm_urls_total',
      help: 'URLs accepted for warming (POST /cache/warm), by where they came from (urls, sitemap).',
      labelNames: ['source'] as const,
      registers: [registry],
    }),
    warmCompleted: new Counter({
      name: 'cairn_invalidation_warm_urls_completed_total',
      help: 'Warmed URLs settled, by outcome: as the fetching gateway answered (stored, cached, not-cacheable, failed), or timeout, no-gateway, publish-failed when the service settled it without an answer.',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    warmOutstanding: new Gauge({
      name: 'cairn_invalidation_warm_outstanding',
      help: 'Warm requests sent to a gateway and not yet answered (at most WARM_CONCURRENCY).',
      registers: [registry],
    }),
    warmAcksIgnored: new Counter({
      name: 'cairn_invalidation_warm_acks_ignored_total',
      help: 'Warm acknowledgements dropped, by reason (unknown-warm: of another instance, forgotten or never started; unknown-url; not-fetcher; not-live; bound).',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    authFailures: new Counter({
      name: 'cairn_invalidation_auth_failures_total',
      help: 'Requests whose credentials were missing, malformed, of an unknown user or with a wrong password.',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    authRefused: new Counter({
      name: 'cairn_invalidation_auth_refused_total',
      help: 'Requests refused with 429 because their address failed to log in too often.',
      registers: [registry],
    }),
  };
}
export type InvalidationMetrics = ReturnType<typeof createInvalidationMetrics>;
