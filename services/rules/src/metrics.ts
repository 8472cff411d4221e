/** Every rules-service metric, declared once with its help text. */
import { collectDefaultMetrics, Counter, Registry } from 'prom-client';

export function createRulesMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    writes: new Counter({
      name: 'cairn_rules_writes_total',
      help: 'Rule events written to the CACHE_RULES stream, by operation.',
      labelNames: ['op'] as const,
      registers: [registry],
    }),
    malformedMessages: new Counter({
      name: 'cairn_rules_malformed_messages_total',
      help: 'Stored messages that did not match their contract and were skipped.',
      labelNames: ['stream'] as const,
      registers: [registry],
    }),
    followerErrors: new Counter({
      name: 'cairn_rules_follower_errors_total',
      help: 'Failures of the rule feed behind POST /rules/test (a handler threw or a history read failed).',
      registers: [registry],
    }),
    authFailures: new Counter({
      name: 'cairn_rules_auth_failures_total',
      help: 'Requests whose credentials were missing, malformed, of an unknown user or with a wrong password.',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    authRefused: new Counter({
      name: 'cairn_rules_auth_refused_total',
      help: 'Requests refused with 429 because their address failed to log in too often.',
      registers: [registry],
    }),
  };
}
export type RulesMetrics = ReturnType<typeof createRulesMetrics>;
