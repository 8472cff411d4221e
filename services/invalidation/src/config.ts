/** The invalidation service's environment (DESIGN.md §2). */
import { natsEnvShape, parseEnv, portSchema, positiveIntSchema } from '@cairn/shared';
import { z } from 'zod';

export const invalidationEnvSchema = z.object({
  ...natsEnvShape,
  PORT: portSchema(8082),
  HOST: z.string().default('0.0.0.0'),
  /** How long `POST /cache/invalidate` waits for every live gateway's acknowledgement. */
  ACK_TIMEOUT_MS: positiveIntSchema(2000),
});
export type InvalidationConfig = z.infer<typeof invalidationEnvSchema>;

export function loadInvalidationConfig(env: NodeJS.ProcessEnv): InvalidationConfig {
  return parseEnv(invalidationEnvSchema, env);
}
