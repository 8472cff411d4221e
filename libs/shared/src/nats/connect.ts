/**
 * NATS connection for a service: reconnects forever (a gateway keeps serving while NATS
 * restarts) and tracks whether it is connected, for `/ready`.
 */
import { readFileSync } from 'node:fs';
import { connect, credsAuthenticator, Events, type NatsConnection } from 'nats';
import type { Logger } from 'pino';

export interface NatsSettings {
  NATS_URL: string;
  NATS_USER?: string | undefined;
  NATS_PASS?: string | undefined;
  NATS_CREDS?: string | undefined;
}

export interface NatsHandle {
  nc: NatsConnection;
  isConnected(): boolean;
}

export async function connectNats(settings: NatsSettings, name: string, logger: Logger): Promise<NatsHandle> {
  const nc = await connect({
    servers: settings.NATS_URL.split(','),
    name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    waitOnFirstConnect: true,
    ...(settings.NATS_USER === undefined ? {} : { user: settings.NATS_USER, pass: settings.NATS_PASS ?? '' }),
    ...(settings.NATS_CREDS === undefined ? {} : { authenticator: credsAuthenticator(readFileSync(settings.NATS_CREDS)) }),
  });
  let connected = true;
  logger.info({ server: nc.getServer() }, 'nats connected');
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
  return { nc, isConnected: () => connected && !nc.isClosed() };
}
