/**
 * What a setting names that the process cannot have at startup — its port taken, its data
 * directory not creatable — is a bad setting like a malformed one: one line naming the
 * variable (run-service.ts prints it), not a stack trace.
 */
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { ConfigError } from '../errors.js';

/** A listen failure as the one-line ConfigError naming `field` when the port is taken or not permitted; anything else as it is. */
export function listenFailure(err: unknown, field: string, host: string, port: number): unknown {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE') return new ConfigError('environment', field, `${host}:${port} is already in use`);
  if (code === 'EACCES') return new ConfigError('environment', field, `${host}:${port} may not be bound by this user`);
  if (code === 'EADDRNOTAVAIL') return new ConfigError('environment', field, `${host} is not an address of this host`);
  return err;
}

/** Creates the directory `field` names (and its parents), or fails with one line naming it. */
export function ensureDirectory(field: string, path: string): void {
  try {
    mkdirSync(path, { recursive: true });
  } catch (err) {
    throw new ConfigError('environment', field, `cannot create ${JSON.stringify(path)} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
}

/**
 * Binds `host:port` and lets it go again, or fails with `listenFailure`'s one line: for a
 * process that starts others which would each fail on a taken port (a gateway's workers).
 */
export function ensureListenable(field: string, host: string, port: number): Promise<void> {
  if (port === 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (err) => reject(listenFailure(err, field, host, port)));
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve()));
  });
}
