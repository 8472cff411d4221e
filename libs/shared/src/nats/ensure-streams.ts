/**
 * Stream bootstrap (README, the streams table; README, NATS permissions). Each stream has one
 * owner that creates or updates it idempotently at start: the rules service CACHE_RULES, the
 * invalidation service CACHE_COMMANDS, CACHE_INVALIDATIONS and CACHE_DEAD_LETTERS. A reader
 * (a gateway) never updates a stream: it creates one that is missing when its NATS user may
 * (no permissions configured: tests, a bare dev server), and otherwise waits for the owner.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ErrorCode, type JetStreamManager, type NatsError } from 'nats';
import type { Logger } from 'pino';
import { streamConfigs, type StreamOptions } from '../contracts/streams.js';
import { CairnError } from '../errors.js';

const STREAM_NAME_IN_USE = 10058;
const STREAM_NOT_FOUND = 10059;

function configsFor(options: StreamOptions, names: readonly string[]) {
  return streamConfigs(options).filter((config) => names.includes(config.name));
}

function isPermissionRefusal(err: unknown): boolean {
  return (err as NatsError).code === ErrorCode.PermissionsViolation;
}

/** Creates or updates the streams this service owns (all of them when `names` is absent). */
export async function ensureStreams(jsm: JetStreamManager, options: StreamOptions, logger: Logger, names?: readonly string[]): Promise<void> {
  const configs = names === undefined ? streamConfigs(options) : configsFor(options, names);
  for (const config of configs) {
    try {
      await jsm.streams.add(config);
    } catch (err) {
      if ((err as NatsError).api_error?.err_code !== STREAM_NAME_IN_USE) {
        throw new CairnError('CAIRN_STREAM_SETUP_FAILED', `cannot create stream ${config.name}${isPermissionRefusal(err) ? ' (the NATS user may not)' : ''}`, { cause: err });
      }
      try {
        await jsm.streams.update(config.name, config);
      } catch (updateErr) {
        throw new CairnError('CAIRN_STREAM_SETUP_FAILED', `stream ${config.name} exists with a config that cannot be updated`, {
          cause: updateErr,
        });
      }
    }
  }
  if (configs.length > 0) logger.info({ streams: configs.map((c) => c.name) }, 'streams ensured');
}

/**
 * The named streams that do not exist yet, after creating those this user may create.
 * A refused create is not an error: the stream's owner creates it.
 */
export async function missingStreams(jsm: JetStreamManager, options: StreamOptions, names: readonly string[]): Promise<string[]> {
  const missing: string[] = [];
  for (const config of configsFor(options, names)) {
    try {
      await jsm.streams.info(config.name);
      continue;
    } catch (err) {
      if ((err as NatsError).api_error?.err_code !== STREAM_NOT_FOUND) throw err;
    }
    try {
      await jsm.streams.add(config);
    } catch (err) {
      // Refused (least privilege), or created meanwhile by its owner: either way, not ours to make.
      if (isPermissionRefusal(err)) missing.push(config.name);
      else if ((err as NatsError).api_error?.err_code !== STREAM_NAME_IN_USE) throw err;
    }
  }
  return missing;
}

export interface AwaitStreamsOptions {
  /** Called with the streams still missing on each check (an empty list once all exist). */
  onMissing(names: string[]): void;
  /** Stops waiting (the service is closing). */
  signal?: AbortSignal;
  retryMs?: number;
}

/** Resolves once every named stream exists; rejects when `signal` aborts first. */
export async function awaitStreams(jsm: JetStreamManager, options: StreamOptions, names: readonly string[], logger: Logger, wait: AwaitStreamsOptions): Promise<void> {
  let waiting = false;
  // Bounded by the signal: a reader cannot work without its streams, so it waits as long as it runs.
  for (;;) {
    wait.signal?.throwIfAborted();
    const missing = await missingStreams(jsm, options, names);
    wait.onMissing(missing);
    if (missing.length === 0) {
      if (waiting) logger.info({ streams: names }, 'streams available');
      return;
    }
    if (!waiting) logger.warn({ missing }, 'waiting for streams');
    waiting = true;
    await sleep(wait.retryMs ?? 1000, undefined, { signal: wait.signal });
  }
}
