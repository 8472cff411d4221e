/**
 * The access-control variables every service reads (README, Access control): `AUTH_REQUIRED`
 * (default true) and `USERS_FILE`, required and readable when auth is on.
 */
import { z } from 'zod';
import { booleanSchema } from '../config/env.js';
import { ConfigError } from '../errors.js';
import { Authenticator, type AuthEvents } from './authenticator.js';

export const authEnvShape = {
  AUTH_REQUIRED: booleanSchema(true),
  USERS_FILE: z.string().optional(),
};

export interface AuthEnv {
  AUTH_REQUIRED: boolean;
  USERS_FILE?: string | undefined;
}

/** The service's authenticator, or undefined when AUTH_REQUIRED=false; a ConfigError (one line) when the file is missing or bad. */
export function createAuthenticator(env: AuthEnv, events: AuthEvents): Authenticator | undefined {
  if (!env.AUTH_REQUIRED) return undefined;
  if (env.USERS_FILE === undefined) throw new ConfigError('environment', 'USERS_FILE', 'required when AUTH_REQUIRED is true (set AUTH_REQUIRED=false to run without access control)');
  return new Authenticator({ usersFile: env.USERS_FILE, events });
}
