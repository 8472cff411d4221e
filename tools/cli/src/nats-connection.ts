/**
 * The CLI's NATS connection: the servers of NATS_URL, as NATS_USER/NATS_PASS or NATS_CREDS
 * (and NATS_TLS_*) with the services' own option builder. With no credentials in the
 * environment, a running `npm start` lends its `operator` user for its own NATS (as
 * `npm run nats:pub` does). One attempt, no reconnects: a command either reaches NATS or
 * ends with exit code 3.
 */
import { natsAuthOptions, ConfigError, DEV_NATS_SESSION_FILE, launcherSessionFor } from '@cairn/shared';
import { connect, ErrorCode, type NatsConnection, type NatsError } from 'nats';
import { OperationFailedError, UnreachableError, UsageError } from './errors.js';
import type { Settings } from './settings.js';

const CONNECT_TIMEOUT_MS = 5000;

export async function connectToNats(settings: Settings): Promise<NatsConnection> {
  const session = launcherSessionFor(settings.env, settings.natsUrlGiven ? settings.natsUrl : undefined, (message) => process.stderr.write(`cairn: ${message}\n`));
  const env = session === undefined ? settings.env : { ...settings.env, NATS_USER: session.user, NATS_PASS: session.pass };
  const url = session?.url ?? settings.natsUrl;
  let auth;
  try {
    auth = natsAuthOptions(env);
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(err.message);
    throw err;
  }
  try {
    return await connect({ servers: url.split(','), name: 'cairn-cli', timeout: CONNECT_TIMEOUT_MS, maxReconnectAttempts: 0, ...auth });
  } catch (err) {
    if ((err as NatsError).code === ErrorCode.AuthorizationViolation) {
      const user = env.NATS_USER === undefined ? (env.NATS_CREDS === undefined ? 'anonymous' : 'NATS_CREDS') : `user ${JSON.stringify(env.NATS_USER)}`;
      const who = session === undefined ? user : `${user} (from the npm start session ${DEV_NATS_SESSION_FILE})`;
      throw new OperationFailedError(`NATS at ${url} refused ${who}: ${(err as Error).message}`, { cause: err });
    }
    throw new UnreachableError('NATS', url, err);
  }
}
