/**
 * The process shell every service's main.ts uses (README, Lifecycle):
 * - `--version` and `--help` print and exit 0 before anything else is read;
 * - a config error prints its one line on stderr and exits 1 (the only line not through pino);
 * - while the service waits for NATS its port answers `/health` (http/startup-listener.ts);
 * - SIGTERM/SIGINT: `/ready` fails for DRAIN_MS while the service keeps serving, then it
 *   closes (within `closeDeadlineMs`) and exits 0 (a gateway worker is stopped by its primary);
 * - SIGHUP re-reads USERS_FILE and LOG_LEVEL_FILE (node's default would end the process).
 * Every lifecycle line (starting, stopping, stopped, reloaded) is a structured log line.
 */
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { z } from 'zod';
import { cairnVersion } from './build-info.js';
import { logLevelSchema } from './config/env.js';
import type { LifecycleEnv } from './config/lifecycle-env.js';
import { markDraining } from './drain-state.js';
import { ConfigError } from './errors.js';
import { holdStartupPort, releaseStartupPort } from './http/startup-listener.js';
import { createLogger, setLogLevel, type Logger } from './logging.js';
import { awaitingNats } from './nats/connect.js';

export interface Closable {
  close(): Promise<void>;
}

export interface RunningService extends Closable {
  /** SIGHUP: re-reads USERS_FILE; throws (a ConfigError) and keeps the old users when the file is bad. */
  reloadUsers?(): void;
  /** Every SIGHUP, after this process's own reloads, whatever they did (a gateway primary tells its workers). */
  reloaded?(): void;
}

/** What SIGTERM and SIGHUP do, callable by a process whose signals are its primary's. */
export interface Lifecycle {
  /** As SIGTERM: drain (DRAIN_MS), close, exit. */
  stop(reason: string): void;
  /** As SIGHUP: re-read USERS_FILE and LOG_LEVEL_FILE. */
  reload(reason: string): void;
}

/** How long a stop that arrives while the service is still opening waits for it, so it closes what it opened. */
const OPENING_WAIT_MS = 10_000;

/** What runService reads of a service's config. */
export interface ServiceSettings extends LifecycleEnv {
  AUTH_REQUIRED: boolean;
}

export interface ServiceDefinition<C> {
  name: string;
  /** One line for `--help`. */
  summary: string;
  /** The service's environment schema: `--help` lists its variables, so the list cannot drift. */
  envSchema: z.ZodObject;
  load(env: NodeJS.ProcessEnv): C;
  settings(config: C): ServiceSettings;
  /** The port held (answering `/health`) until NATS answers; undefined for none (port 0, a gateway worker). */
  healthPort?(config: C): { field: string; port: number; host: string } | undefined;
  /** `lifecycle` does what the signals do, for a process told otherwise (a gateway worker, over IPC). */
  start(config: C, logger: Logger, lifecycle: Lifecycle): Promise<RunningService>;
  /**
   * Whether signals stop and reload this process (the default). A gateway worker's come from
   * its primary, which drains the node first: a SIGTERM sent to the whole process group
   * (systemd, a terminal) must not close the worker's listener while the node still drains.
   */
  ownsSignals?(config: C): boolean;
  /** A close still running after this fails the stop (exit 1); undefined: the service bounds its own close. */
  closeDeadlineMs?: number;
}

export function runService<C>(definition: ServiceDefinition<C>): void {
  const { name } = definition;
  if (process.argv.includes('--version')) {
    process.stdout.write(`cairn-${name} ${cairnVersion}\n`);
    process.exit(0);
  }
  if (process.argv.includes('--help')) {
    process.stdout.write(helpText(definition));
    process.exit(0);
  }
  let logger: Logger | undefined;
  let settings: ServiceSettings | undefined;
  let service: RunningService | undefined;
  let opening: Promise<RunningService> | undefined;
  let stopping = false;
  let ownsSignals = true;
  const startedAt = performance.now();

  const stop = async (signal: string, log: Logger, drainMs: number): Promise<void> => {
    const stopStarted = performance.now();
    log.info({ signal, drainMs }, 'stopping');
    const wasOpening = service === undefined;
    if (service === undefined) {
      await releaseStartupPort();
      // Still waiting for NATS: nothing is served or written yet, so it stops at once. Past
      // that (a gateway catching up on its feeds, writing its store) it is closed once open,
      // so no write is cut short by an exit.
      const opened = opening === undefined || awaitingNats() ? undefined : await Promise.race([opening.catch(() => undefined), sleep(OPENING_WAIT_MS).then(() => undefined)]);
      if (opened === undefined) {
        log.info({ durationMs: Math.round(performance.now() - stopStarted) }, 'stopped');
        process.exit(0);
      }
      service = opened;
    }
    markDraining();
    // A service that was still opening was never ready: nothing to drain.
    if (drainMs > 0 && !wasOpening) await sleep(drainMs);
    log.info({}, 'closing');
    const deadline = definition.closeDeadlineMs;
    const timer =
      deadline === undefined
        ? undefined
        : setTimeout(() => {
            log.error({ closeDeadlineMs: deadline }, 'close did not finish in time, exiting');
            process.exit(1);
          }, deadline);
    try {
      await service.close();
    } catch (err) {
      log.error({ err }, 'stop failed');
      process.exit(1);
    }
    clearTimeout(timer);
    log.info({ durationMs: Math.round(performance.now() - stopStarted) }, 'stopped');
    process.exit(0);
  };
  const requestStop = (reason: string) => {
    if (logger === undefined || settings === undefined) process.exit(0);
    if (stopping) return logger.warn({ signal: reason }, 'already stopping');
    stopping = true;
    void stop(reason, logger, settings.DRAIN_MS);
  };
  const requestReload = (reason: string) => {
    if (logger !== undefined && settings !== undefined) reload(reason, logger, settings, service);
  };
  const leftToPrimary = (signal: string) => logger?.info({ signal }, 'signal left to the primary');
  process.on('SIGINT', () => (ownsSignals ? requestStop('SIGINT') : leftToPrimary('SIGINT')));
  process.on('SIGTERM', () => (ownsSignals ? requestStop('SIGTERM') : leftToPrimary('SIGTERM')));
  process.on('SIGHUP', () => (ownsSignals ? requestReload('SIGHUP') : leftToPrimary('SIGHUP')));

  void (async () => {
    let config: C;
    try {
      config = definition.load(process.env);
      settings = definition.settings(config);
      ownsSignals = definition.ownsSignals?.(config) ?? true;
      const level = settings.LOG_LEVEL_FILE === undefined ? settings.LOG_LEVEL : readLogLevelFile(settings.LOG_LEVEL_FILE);
      logger = createLogger(name, level);
      logger.info({ version: cairnVersion, node: process.version, pid: process.pid }, 'starting');
      const port = definition.healthPort?.(config);
      if (port !== undefined && port.port !== 0) await holdStartupPort(port.field, port.port, port.host);
      opening = definition.start(config, logger, { stop: requestStop, reload: requestReload });
      const started = await opening;
      if (stopping) return; // the stop closes it
      service = started;
      logger.info({ startupMs: Math.round(performance.now() - startedAt) }, 'started');
    } catch (err) {
      await releaseStartupPort();
      if (err instanceof ConfigError) process.stderr.write(`${err.message}\n`);
      else if (logger !== undefined) logger.fatal({ err }, 'failed to start');
      else process.stderr.write(`${name}: failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    }
  })();
}

/** One `reloaded` line naming what was re-read; a bad file keeps what was in force and logs why. */
function reload(reason: string, logger: Logger, settings: ServiceSettings, service: RunningService | undefined): void {
  const reloaded: string[] = [];
  const failed: string[] = [];
  if (settings.AUTH_REQUIRED && service?.reloadUsers !== undefined) {
    try {
      service.reloadUsers();
      reloaded.push('USERS_FILE');
    } catch (err) {
      failed.push('USERS_FILE');
      logger.error({ err: err instanceof ConfigError ? err.message : err }, 'USERS_FILE not reloaded, keeping the users in force');
    }
  }
  if (settings.LOG_LEVEL_FILE !== undefined) {
    try {
      setLogLevel(logger, readLogLevelFile(settings.LOG_LEVEL_FILE));
      reloaded.push('LOG_LEVEL_FILE');
    } catch (err) {
      failed.push('LOG_LEVEL_FILE');
      logger.error({ err: err instanceof ConfigError ? err.message : err }, 'LOG_LEVEL_FILE not reloaded, keeping the level in force');
    }
  }
  logger.info({ signal: reason, reloaded, failed, logLevel: logger.level }, 'reloaded');
  service?.reloaded?.();
}

/** The file holds one level name (surrounding whitespace ignored); anything else is a ConfigError naming LOG_LEVEL_FILE. */
export function readLogLevelFile(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError('environment', 'LOG_LEVEL_FILE', `cannot read ${JSON.stringify(path)} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  const level = logLevelSchema.safeParse(text.trim());
  if (!level.success) throw new ConfigError('environment', 'LOG_LEVEL_FILE', `${JSON.stringify(path)}: ${level.error.issues[0]?.message ?? 'not a level'}, got ${JSON.stringify(text.trim())}`);
  return level.data;
}

function helpText(definition: ServiceDefinition<unknown>): string {
  const rows = Object.entries(definition.envSchema.shape).map(([variable, field]) => [variable, describeDefault(field as z.ZodType)] as const);
  const width = Math.max(...rows.map(([variable]) => variable.length));
  return [
    `cairn-${definition.name} ${cairnVersion}: ${definition.summary}`,
    '',
    `Usage: node services/${definition.name}/dist/main.js [--help | --version]`,
    '',
    'Configured only by environment variables (empty counts as unset):',
    ...rows.map(([variable, note]) => `  ${variable.padEnd(width)}  ${note}`),
    '',
    'Signals: SIGTERM/SIGINT drain (DRAIN_MS) then stop; SIGHUP re-reads USERS_FILE and LOG_LEVEL_FILE.',
    '',
  ].join('\n');
}

/** `default <value>`, `optional` or `required`, read from the zod schema's definition. */
function describeDefault(field: z.ZodType): string {
  const def = (field as unknown as { _zod: { def: { type: string; defaultValue?: unknown; innerType?: z.ZodType; in?: z.ZodType } } })._zod.def;
  if (def.type === 'default') {
    const value = typeof def.defaultValue === 'function' ? (def.defaultValue as () => unknown)() : def.defaultValue;
    return `default ${typeof value === 'string' ? value : JSON.stringify(value)}`;
  }
  if (def.type === 'optional') return 'optional';
  const inner = def.in ?? def.innerType;
  return inner === undefined ? 'required' : describeDefault(inner);
}
