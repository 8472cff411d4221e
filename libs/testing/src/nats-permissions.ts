/**
 * The shipped least-privilege nats-server configuration (README, NATS permissions) with a
 * fresh password per user, for integration tests and the dev launcher: pass `configFile`
 * and `env` to startNatsServer, and each user's `NATS_USER`/`NATS_PASS` to its service.
 */
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';

/** config/nats/nats-server.conf at the repository root (the same depth from src and dist). */
export const NATS_PERMISSIONS_CONFIG = fileURLToPath(new URL('../../../config/nats/nats-server.conf', import.meta.url));

export const NATS_USERS = ['gateway', 'rules', 'invalidation', 'operator'] as const;
export type NatsUserName = (typeof NATS_USERS)[number];

export interface NatsCredentials {
  NATS_USER: string;
  NATS_PASS: string;
}

export interface NatsPermissions {
  configFile: string;
  /** The server's environment: `CAIRN_NATS_<USER>_PASS` for every user. */
  env: Record<string, string>;
  users: Record<NatsUserName, NatsCredentials>;
}

/** The environment variable the config file reads a user's password from. */
export function natsPasswordVariable(user: NatsUserName): string {
  return `CAIRN_NATS_${user.toUpperCase()}_PASS`;
}

/** The shipped config with the given passwords, or random ones. */
export function natsPermissions(passwords: Partial<Record<NatsUserName, string>> = {}): NatsPermissions {
  const env: Record<string, string> = {};
  const users = {} as Record<NatsUserName, NatsCredentials>;
  for (const user of NATS_USERS) {
    // nats-server parses a variable's value as a config value (`2026-…` reads as a date):
    // letters and digits starting with a letter always read as a plain string.
    const pass = passwords[user] ?? `p${randomBytes(16).toString('hex')}`;
    env[natsPasswordVariable(user)] = pass;
    users[user] = { NATS_USER: user, NATS_PASS: pass };
  }
  return { configFile: NATS_PERMISSIONS_CONFIG, env, users };
}
