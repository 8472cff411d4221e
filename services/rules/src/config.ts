/** The rules service's environment (README, Gateway configuration). */
import { authEnvShape, natsEnvShape, parseEnv, portSchema } from '@cairn/shared';
import { z } from 'zod';

export const rulesEnvSchema = z.object({
  ...natsEnvShape,
  ...authEnvShape,
  PORT: portSchema(8081),
  HOST: z.string().default('0.0.0.0'),
});
export type RulesConfig = z.infer<typeof rulesEnvSchema>;

export function loadRulesConfig(env: NodeJS.ProcessEnv): RulesConfig {
  return parseEnv(rulesEnvSchema, env);
}
