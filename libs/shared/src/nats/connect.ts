/**
 * NATS connection for a service: reconnects forever (a gateway keeps serving while NATS
 * restarts), makes sure Cairn's streams exist, and tracks whether it is connected, for `/ready`.
 */
import { readFileSync } from 'node:fs';
import { connect, credsAuthenticator, Events, type NatsConnection } from 'nats';
import type { Logger } from 'pino';
import { ConfigError } from '../errors.js';
import { ensureStreams } from './ensure-streams.js';

export interface NatsSettings {
  NATS_URL: string;
  NATS_USER?: string | undefined;
  NATS_PASS?: string | undefined;
  NATS_CREDS?: string | undefined;
  NATS_REPLICAS: number;
  INVALIDATION_RETENTION: number;
}

export interface NatsHandle {
  nc: NatsConnection;
  isConnected(): boolean;
}

function readCreds(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new ConfigError('environment', 'NATS_CREDS', `cannot read ${path}: ${(err as Error).message}`);
  }
}

export async function connectNats(settings: NatsSettings, name: string, logger: Logger): Promise<NatsHandle> {
  const nc = await connect({
    servers: settings.NATS_URL.split(','),
    name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    waitOnFirstConnect: true,
    ...(settings.NATS_USER === undefined ? {} : { user: settings.NATS_USER, pass: settings.NATS_PASS ?? '' }),
    ...(settings.NATS_CREDS === undefined ? {} : { authenticator: credsAuthenticator(readCreds(settings.NATS_CREDS)) }),
  });
  logger.info({ server: nc.getServer() }, 'nats connected');
  let connected = true;
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type === Events.Disconnect) {
        connected = false;
        logger.warn({ server: status.data }, 'nats disconnected');
      } else if (status.type === Events.Reconnect) {
        connected = true;
        logger.info({ server: status.data }, 'nats reconnected');
      }
    }
  })();
  try {
    await ensureStreams(await nc.jetstreamManager(), { replicas: settings.NATS_REPLICAS, invalidationRetentionMs: settings.INVALIDATION_RETENTION }, logger);
  } catch (err) {
    await nc.close();
    throw err;
  }
  return { nc, isConnected: () => connected && !nc.isClosed() };
}
