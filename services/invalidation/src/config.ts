/** The invalidation service's environment (DESIGN.md §2). */
import { natsEnvShape, parseEnv, portSchema } from '@cairn/shared';
import { z } from 'zod';

export const invalidationEnvSchema = z.object({
  ...natsEnvShape,
  PORT: portSchema(8082),
  HOST: z.string().default('0.0.0.0'),
});
export type InvalidationConfig = z.infer<typeof invalidationEnvSchema>;

export function loadInvalidationConfig(env: NodeJS.ProcessEnv): InvalidationConfig {
  return parseEnv(invalidationEnvSchema, env);
}
