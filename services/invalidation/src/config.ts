/** The invalidation service's environment (README, Gateway configuration). */
import { authEnvShape, lifecycleEnvShape, natsEnvShape, parseEnv, portSchema, positiveIntSchema } from '@cairn/shared';
import { z } from 'zod';

export const invalidationEnvSchema = z.object({
  ...natsEnvShape,
  ...authEnvShape,
  /** An admin API, not load-balanced traffic: it closes at once on SIGTERM unless told to drain. */
  ...lifecycleEnvShape(0),
  PORT: portSchema(8082),
  HOST: z.string().default('0.0.0.0'),
  /** How long `POST /cache/invalidate` waits for every live gateway's acknowledgement. */
  ACK_TIMEOUT_MS: positiveIntSchema(2000),
  /**
   * Deliveries of one NATS command before it is dead-lettered (issue #9): a command whose
   * event cannot be published after this many tries (1 s apart, doubling up to 30 s: about
   * three minutes) goes to CACHE_DEAD_LETTERS and off the queue.
   */
  COMMAND_MAX_ATTEMPTS: positiveIntSchema(10),
  /** Most gateways the registry tracks; heartbeats from further ids are refused (issue #9). */
  GATEWAY_REGISTRY_MAX: positiveIntSchema(256),
  /**
   * Warm requests outstanding at once across every `POST /cache/warm` of this service: each
   * is an origin fetch by some gateway, so this bounds what warming adds to the origin's load.
   */
  WARM_CONCURRENCY: positiveIntSchema(4),
  /** How long one warmed URL waits for its fetching gateway's answer before it counts as failed (`timeout`). */
  WARM_URL_TIMEOUT_MS: positiveIntSchema(30_000),
  /** How long `POST /cache/warm` waits for its URLs to be fetched and replicated before answering 202 instead of 200. */
  WARM_WAIT_MS: positiveIntSchema(10_000),
});
export type InvalidationConfig = z.infer<typeof invalidationEnvSchema>;

export function loadInvalidationConfig(env: NodeJS.ProcessEnv): InvalidationConfig {
  return parseEnv(invalidationEnvSchema, env);
}
