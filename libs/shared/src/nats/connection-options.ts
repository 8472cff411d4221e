/**
 * How a service authenticates to NATS and secures the connection (README, NATS permissions):
 * a user and password (`NATS_USER`/`NATS_PASS`) or a credentials file (`NATS_CREDS`), and
 * TLS (`NATS_TLS_CA` to verify the server, `NATS_TLS_CERT` + `NATS_TLS_KEY` for a client
 * certificate). Files are read here, so one that cannot be read is one config line naming
 * its variable, not a failed handshake later.
 */
import { readFileSync } from 'node:fs';
import { credsAuthenticator, type ConnectionOptions, type TlsOptions } from 'nats';
import { ConfigError } from '../errors.js';

export interface NatsAuthSettings {
  NATS_USER?: string | undefined;
  NATS_PASS?: string | undefined;
  NATS_CREDS?: string | undefined;
  NATS_TLS_CA?: string | undefined;
  NATS_TLS_CERT?: string | undefined;
  NATS_TLS_KEY?: string | undefined;
  NATS_INBOX_PREFIX?: string | undefined;
}

const SAFE_TOKEN = /^[A-Za-z0-9_-]+$/;

/**
 * Where this service's replies arrive: `_INBOX_<user>` when it connects as a user (the shipped
 * config lets each user subscribe to its own inbox prefix only, so no service reads another's
 * replies), `_INBOX` otherwise; NATS_INBOX_PREFIX overrides both.
 */
export function natsInboxPrefix(settings: NatsAuthSettings): string {
  if (settings.NATS_INBOX_PREFIX !== undefined) {
    if (!settings.NATS_INBOX_PREFIX.split('.').every((token) => SAFE_TOKEN.test(token))) {
      throw new ConfigError('environment', 'NATS_INBOX_PREFIX', 'expected subject tokens of letters, digits, - and _ separated by dots');
    }
    return settings.NATS_INBOX_PREFIX;
  }
  const user = settings.NATS_USER;
  return user !== undefined && SAFE_TOKEN.test(user) ? `_INBOX_${user}` : '_INBOX';
}

function readSetting(field: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError('environment', field, `cannot read ${path}: ${(err as Error).message}`);
  }
}

/** The TLS options, or undefined for a plain connection (the server may still offer TLS). */
export function natsTlsOptions(settings: NatsAuthSettings): TlsOptions | undefined {
  const { NATS_TLS_CA: caPath, NATS_TLS_CERT: certPath, NATS_TLS_KEY: keyPath } = settings;
  if (certPath !== undefined && keyPath === undefined) throw new ConfigError('environment', 'NATS_TLS_KEY', 'required when NATS_TLS_CERT is set');
  if (keyPath !== undefined && certPath === undefined) throw new ConfigError('environment', 'NATS_TLS_CERT', 'required when NATS_TLS_KEY is set');
  if (caPath === undefined && certPath === undefined) return undefined;
  return {
    ...(caPath === undefined ? {} : { ca: readSetting('NATS_TLS_CA', caPath) }),
    ...(certPath === undefined || keyPath === undefined ? {} : { cert: readSetting('NATS_TLS_CERT', certPath), key: readSetting('NATS_TLS_KEY', keyPath) }),
  };
}

/** The connect options that say who this service is and how the connection is secured. */
export function natsAuthOptions(settings: NatsAuthSettings): Pick<ConnectionOptions, 'user' | 'pass' | 'authenticator' | 'tls' | 'inboxPrefix'> {
  if (settings.NATS_CREDS !== undefined && settings.NATS_USER !== undefined) {
    throw new ConfigError('environment', 'NATS_CREDS', 'set either NATS_CREDS or NATS_USER/NATS_PASS, not both');
  }
  if (settings.NATS_PASS !== undefined && settings.NATS_USER === undefined) throw new ConfigError('environment', 'NATS_USER', 'required when NATS_PASS is set');
  const tls = natsTlsOptions(settings);
  return {
    ...(settings.NATS_USER === undefined ? {} : { user: settings.NATS_USER, pass: settings.NATS_PASS ?? '' }),
    ...(settings.NATS_CREDS === undefined ? {} : { authenticator: credsAuthenticator(new TextEncoder().encode(readSetting('NATS_CREDS', settings.NATS_CREDS))) }),
    ...(tls === undefined ? {} : { tls }),
    inboxPrefix: natsInboxPrefix(settings),
  };
}
