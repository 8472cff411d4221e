/**
 * Environment parsing shared by every service: one zod schema per service, one error
 * line naming the variable. Empty variables count as unset, as in docker compose files.
 */
import { z } from 'zod';
import { ConfigError } from '../errors.js';
import { parseTtl } from '../rules/ttl.js';
import { describeFirstIssue } from './describe-issues.js';

export function parseEnv<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv): z.infer<S> {
  const present: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) if (value !== undefined && value !== '') present[name] = value;
  const result = schema.safeParse(present);
  if (result.success) return result.data;
  const issue = describeFirstIssue(result.error);
  const received = present[issue.field];
  throw new ConfigError(
    'environment',
    issue.field,
    received === undefined ? issue.message : `${issue.message}, got ${JSON.stringify(received)}`,
  );
}

export const portSchema = (defaultPort: number) =>
  z.coerce
    .number({ error: 'expected a port number' })
    .int('expected a port number')
    .min(0, 'expected a port number from 0 to 65535')
    .max(65535, 'expected a port number from 0 to 65535')
    .default(defaultPort);

export const positiveIntSchema = (defaultValue: number) =>
  z.coerce.number({ error: 'expected a positive integer' }).int('expected a positive integer').positive('expected a positive integer').default(defaultValue);

export const booleanSchema = (defaultValue: boolean) =>
  z
    .enum(['true', 'false'], { error: 'expected true or false' })
    .default(defaultValue ? 'true' : 'false')
    .transform((v) => v === 'true');

/** A duration in the TTL grammar (`30d`, `12h`), converted to milliseconds. */
export const durationMsSchema = (defaultValue: string) =>
  z
    .string()
    .default(defaultValue)
    .transform((value, ctx) => {
      const ttl = parseTtl(value);
      if (ttl?.kind !== 'duration') {
        ctx.addIssue({ code: 'custom', message: 'expected a duration like 30s, 5m, 6h or 30d' });
        return z.NEVER;
      }
      return ttl.seconds * 1000;
    });

export const logLevelSchema = z
  .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
    error: 'expected one of fatal, error, warn, info, debug, trace, silent',
  })
  .default('info');

/** NATS connection and stream settings every service reads (README, Gateway configuration, §3). */
export const natsEnvShape = {
  NATS_URL: z.string().default('nats://127.0.0.1:4222'),
  NATS_USER: z.string().optional(),
  NATS_PASS: z.string().optional(),
  NATS_CREDS: z.string().optional(),
  /** TLS (README, NATS permissions): a CA file to verify the server; a client cert and its key, both or neither. */
  NATS_TLS_CA: z.string().optional(),
  NATS_TLS_CERT: z.string().optional(),
  NATS_TLS_KEY: z.string().optional(),
  /** Reply subjects' prefix; default `_INBOX_<NATS_USER>` (README, NATS permissions). */
  NATS_INBOX_PREFIX: z.string().optional(),
  NATS_REPLICAS: z.coerce.number().int().refine((n) => n === 1 || n === 3, 'expected 1 or 3').default(1),
  /** Max age of invalidation events: the invalidation service applies it to the streams it owns. */
  INVALIDATION_RETENTION: durationMsSchema('30d').refine((ms) => ms >= 5 * 60_000, 'expected at least 5m'),
  LOG_LEVEL: logLevelSchema,
};
