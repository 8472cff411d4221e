/**
 * The CLI's NATS connection: the servers of NATS_URL, as NATS_USER/NATS_PASS or NATS_CREDS
 * (and NATS_TLS_*) with the services' own option builder. One attempt, no reconnects: a
 * command either reaches NATS or ends with exit code 3.
 */
import { natsAuthOptions, ConfigError } from '@cairn/shared';
import { connect, ErrorCode, type NatsConnection, type NatsError } from 'nats';
import { OperationFailedError, UnreachableError, UsageError } from './errors.js';
import type { Settings } from './settings.js';

const CONNECT_TIMEOUT_MS = 5000;

export async function connectToNats(settings: Settings): Promise<NatsConnection> {
  let auth;
  try {
    auth = natsAuthOptions(settings.env);
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(err.message);
    throw err;
  }
  try {
    return await connect({ servers: settings.natsUrl.split(','), name: 'cairn-cli', timeout: CONNECT_TIMEOUT_MS, maxReconnectAttempts: 0, ...auth });
  } catch (err) {
    if ((err as NatsError).code === ErrorCode.AuthorizationViolation) {
      const who = settings.env.NATS_USER === undefined ? (settings.env.NATS_CREDS === undefined ? 'anonymous' : 'NATS_CREDS') : `user ${JSON.stringify(settings.env.NATS_USER)}`;
      throw new OperationFailedError(`NATS at ${settings.natsUrl} refused ${who}: ${(err as Error).message}`, { cause: err });
    }
    throw new UnreachableError('NATS', settings.natsUrl, err);
  }
}
