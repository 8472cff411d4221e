/**
 * Where the CLI connects and as whom: flags first, then the environment, then the defaults of
 * `npm start`. A bad value is a usage error naming the flag and the variable.
 */
import { UsageError } from './errors.js';
import type { OptionValue } from './command-line.js';

export const defaultUrls = {
  rules: 'http://127.0.0.1:8081',
  invalidation: 'http://127.0.0.1:8082',
  nats: 'nats://127.0.0.1:4222',
} as const;

export interface BasicCredentials {
  user: string;
  password: string;
}

export interface Settings {
  rulesUrl: string;
  invalidationUrl: string;
  natsUrl: string;
  /** Whether `--nats-url` or NATS_URL named it (else the default, or a running `npm start`'s). */
  natsUrlGiven: boolean;
  /** Basic credentials for the REST services; none when neither --user nor CAIRN_USER is set. */
  credentials: BasicCredentials | undefined;
  json: boolean;
  /** The environment, for NATS_USER/NATS_PASS/NATS_CREDS/NATS_TLS_* and the gateway's settings. */
  env: NodeJS.ProcessEnv;
}

const present = (value: string | undefined): string | undefined => (value === undefined || value === '' ? undefined : value);

/** An absolute http(s) URL without its trailing slashes, or a usage error naming the flag and the variable. */
export function httpUrl(value: string, flag: string, variable: string): string {
  if (!/^https?:\/\//i.test(value) || !URL.canParse(value)) {
    throw new UsageError(`--${flag} / ${variable}: expected an absolute http(s) URL, got ${JSON.stringify(value)}`);
  }
  return value.replace(/\/+$/, '');
}

function credentialsOf(option: OptionValue, env: NodeJS.ProcessEnv): BasicCredentials | undefined {
  const given = typeof option === 'string' ? option : present(env.CAIRN_USER);
  if (given === undefined) return undefined;
  // `--user name:password` as curl takes it; CAIRN_PASSWORD keeps the password out of `ps`.
  const colon = given.indexOf(':');
  if (colon >= 0) return { user: given.slice(0, colon), password: given.slice(colon + 1) };
  const password = env.CAIRN_PASSWORD;
  if (password === undefined) throw new UsageError(`CAIRN_PASSWORD: required when --user / CAIRN_USER is set (user ${JSON.stringify(given)})`);
  return { user: given, password };
}

export function resolveSettings(options: Record<string, OptionValue>, env: NodeJS.ProcessEnv): Settings {
  const pick = (flag: string, variable: string, fallback: string): string => {
    const value = options[flag];
    return typeof value === 'string' ? value : (present(env[variable]) ?? fallback);
  };
  const natsUrl = pick('nats-url', 'NATS_URL', defaultUrls.nats);
  if (!natsUrl.split(',').every((server) => server.trim() !== '')) throw new UsageError(`--nats-url / NATS_URL: expected nats://host:port[,…], got ${JSON.stringify(natsUrl)}`);
  return {
    rulesUrl: httpUrl(pick('rules-url', 'CAIRN_RULES_URL', defaultUrls.rules), 'rules-url', 'CAIRN_RULES_URL'),
    invalidationUrl: httpUrl(pick('invalidation-url', 'CAIRN_INVALIDATION_URL', defaultUrls.invalidation), 'invalidation-url', 'CAIRN_INVALIDATION_URL'),
    natsUrl,
    natsUrlGiven: typeof options['nats-url'] === 'string' || present(env.NATS_URL) !== undefined,
    credentials: credentialsOf(options.user, env),
    json: options.json === true,
    env,
  };
}
