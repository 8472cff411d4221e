/**
 * The process shell every service's main.ts uses: a config error prints its one line and
 * exits 1; SIGINT/SIGTERM close the service and exit 0.
 */
import { ConfigError } from './errors.js';

export interface Closable {
  close(): Promise<void>;
}

export function runService(name: string, start: () => Promise<Closable>): void {
  let service: Closable | undefined;
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`${name}: ${signal} received, stopping\n`);
    (service?.close() ?? Promise.resolve()).then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`${name}: stop failed: ${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
  start().then(
    (started) => {
      service = started;
      if (stopping) void started.close().then(() => process.exit(0));
    },
    (err: unknown) => {
      process.stderr.write(err instanceof ConfigError ? `${err.message}\n` : `${name}: failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}
