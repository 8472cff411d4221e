/**
 * The process-lifecycle variables every service reads (README, Lifecycle): how long SIGTERM
 * keeps serving with `/ready` failing before the listener closes, and the optional file
 * SIGHUP re-reads the log level from (the environment of a running process cannot change).
 */
import { z } from 'zod';

export const lifecycleEnvShape = (defaultDrainMs: number) => ({
  DRAIN_MS: z.coerce.number({ error: 'expected a whole number of ms' }).int('expected a whole number of ms').min(0, 'expected 0 or more').max(300_000, 'expected at most 300000').default(defaultDrainMs),
  LOG_LEVEL_FILE: z.string().optional(),
});

export interface LifecycleEnv {
  DRAIN_MS: number;
  LOG_LEVEL_FILE?: string | undefined;
  LOG_LEVEL: string;
}
