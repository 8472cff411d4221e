/**
 * The rules service's environment (README, Gateway configuration), and the gateways' cache
 * configuration it explains `POST /rules/test` with.
 */
import { existsSync } from 'node:fs';
import {
  authEnvShape,
  cacheConfigurationEnvShape,
  cacheConfigurationPath,
  lifecycleEnvShape,
  loadCacheConfiguration,
  natsEnvShape,
  parseEnv,
  portSchema,
  type CacheConfiguration,
} from '@cairn/shared';
import { z } from 'zod';

export const rulesEnvSchema = z.object({
  ...natsEnvShape,
  ...authEnvShape,
  /** An admin API, not load-balanced traffic: it closes at once on SIGTERM unless told to drain. */
  ...lifecycleEnvShape(0),
  PORT: portSchema(8081),
  HOST: z.string().default('0.0.0.0'),
  /** The gateways' cacheConfiguration.<ENVIRONMENT>.json in CONFIG_DIR, same names and defaults. */
  ...cacheConfigurationEnvShape,
});
export type RulesEnv = z.infer<typeof rulesEnvSchema>;

/** The cache configuration `POST /rules/test` builds keys with, and where it was looked for. */
export interface GatewayCacheConfiguration {
  path: string;
  /** undefined: no file at the default place; keys are then the path alone unless a call sends `cacheKey`. */
  configuration: CacheConfiguration | undefined;
}

export interface RulesConfig extends RulesEnv {
  gatewayCache: GatewayCacheConfiguration;
}

/**
 * The rules service may run where no gateway configuration is (its own machine, a container
 * without the gateways' mount), so a missing file is not an error by itself. One that is there
 * must be valid, and the one an ENVIRONMENT names must be there: a wrong name would otherwise
 * explain requests with keys no gateway builds. CONFIG_DIR alone does not make it required:
 * the image sets it for every service.
 */
function gatewayCacheConfiguration(env: RulesEnv, explicit: boolean): GatewayCacheConfiguration {
  const path = cacheConfigurationPath(env);
  if (!explicit && !existsSync(path)) return { path, configuration: undefined };
  return { path, configuration: loadCacheConfiguration(env) };
}

export function loadRulesConfig(processEnv: NodeJS.ProcessEnv): RulesConfig {
  const env = parseEnv(rulesEnvSchema, processEnv);
  const explicit = Boolean(processEnv.ENVIRONMENT);
  return { ...env, gatewayCache: gatewayCacheConfiguration(env, explicit) };
}
