/**
 * NATS connection for a service: connects as its NATS user (README, NATS permissions),
 * reconnects forever (a gateway keeps serving while NATS restarts), creates or updates the
 * streams the service owns, and tracks whether it is connected, for `/ready`.
 */
import { connect, ErrorCode, Events, type NatsConnection, type NatsError } from 'nats';
import { ConfigError } from '../errors.js';
import type { Logger } from 'pino';
import type { StreamOptions } from '../contracts/streams.js';
import { natsAuthOptions, type NatsAuthSettings } from './connection-options.js';
import { ensureStreams } from './ensure-streams.js';
import { releaseStartupPort } from '../http/startup-listener.js';

/** How often a service still waiting for its first NATS connection says so. */
const WAITING_LOG_INTERVAL_MS = 2_000;

export interface NatsSettings extends NatsAuthSettings {
  NATS_URL: string;
  NATS_REPLICAS: number;
  INVALIDATION_RETENTION: number;
}

export interface NatsHandle {
  nc: NatsConnection;
  isConnected(): boolean;
}

export interface ConnectNatsOptions {
  /** The streams this service owns and creates or updates at start; all of them when absent. */
  ownStreams?: readonly string[];
}

/** First connects still waiting for a server, in this process. */
let awaiting = 0;

/** Whether this process is still waiting for its first NATS connection (run-service.ts: a stop then exits at once). */
export function awaitingNats(): boolean {
  return awaiting > 0;
}

export async function connectNats(settings: NatsSettings, name: string, logger: Logger, options: ConnectNatsOptions = {}): Promise<NatsHandle> {
  const auth = natsAuthOptions(settings);
  // nats.js retries the first connect quietly: say what the service waits for, at a bounded rate.
  const waitStarted = Date.now();
  const waiting = setInterval(() => logger.warn({ url: settings.NATS_URL, waitingMs: Date.now() - waitStarted }, 'waiting for NATS'), WAITING_LOG_INTERVAL_MS);
  awaiting++;
  const nc = await connect({
    servers: settings.NATS_URL.split(','),
    name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    waitOnFirstConnect: true,
    ...auth,
  }).catch((err: unknown) => {
    // Wrong credentials are a configuration mistake: one line naming what to fix.
    if ((err as NatsError).code !== ErrorCode.AuthorizationViolation) throw err;
    const field = settings.NATS_CREDS === undefined ? 'NATS_USER/NATS_PASS' : 'NATS_CREDS';
    throw new ConfigError('environment', field, `the NATS server refused ${settings.NATS_USER === undefined ? 'the connection' : `user ${JSON.stringify(settings.NATS_USER)}`}: ${(err as Error).message}`);
  }).finally(() => {
    clearInterval(waiting);
    awaiting--;
  });
  // The port held meanwhile (run-service.ts) goes to the service's own listener, about to open.
  await releaseStartupPort();
  logger.info({ server: nc.getServer(), user: settings.NATS_USER, tls: auth.tls !== undefined }, 'nats connected');
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
    await ensureStreams(await nc.jetstreamManager(), streamOptionsOf(settings), logger, options.ownStreams);
  } catch (err) {
    await nc.close();
    throw err;
  }
  return { nc, isConnected: () => connected && !nc.isClosed() };
}

export function streamOptionsOf(settings: NatsSettings): StreamOptions {
  return { replicas: settings.NATS_REPLICAS, invalidationRetentionMs: settings.INVALIDATION_RETENTION };
}
