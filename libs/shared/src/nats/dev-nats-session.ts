/**
 * The dev launcher's NATS operator credentials for this run (README, NATS permissions): the
 * launcher (scripts/dev.ts) writes them (owner-only) while it runs, so `npm run nats:pub` and
 * `cairn pub` work against it without typing the per-run password, and removes them when it
 * stops. The file sits in the shared temp directory: it is trusted only when this user owns
 * it and its directory, and nobody else may read or write them.
 */
import { chmodSync, lstatSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync, type Stats } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const DEV_NATS_SESSION_DIR = join(tmpdir(), 'cairn-dev');
export const DEV_NATS_SESSION_FILE = join(DEV_NATS_SESSION_DIR, 'nats-operator.json');

export interface DevNatsSession {
  url: string;
  user: string;
  pass: string;
}

/** A session file that is there but cannot be used: readers go on without it, saying why. */
export class DevNatsSessionError extends Error {
  constructor(reason: string) {
    super(`${DEV_NATS_SESSION_FILE}: ${reason}`);
    this.name = 'DevNatsSessionError';
  }
}

export function writeDevNatsSession(session: DevNatsSession): void {
  mkdirSync(DEV_NATS_SESSION_DIR, { recursive: true, mode: 0o700 });
  // Renamed into place, so a reader never sees half a file.
  const partial = `${DEV_NATS_SESSION_FILE}.${process.pid}`;
  writeFileSync(partial, JSON.stringify(session), { mode: 0o600 });
  chmodSync(partial, 0o600);
  renameSync(partial, DEV_NATS_SESSION_FILE);
}

export function removeDevNatsSession(): void {
  rmSync(DEV_NATS_SESSION_FILE, { force: true });
}

/** The running launcher's session; undefined when none is running; DevNatsSessionError when the file is not one to trust. */
export function readDevNatsSession(): DevNatsSession | undefined {
  const file = statOf(DEV_NATS_SESSION_FILE);
  if (file === undefined) return undefined;
  const dir = statOf(DEV_NATS_SESSION_DIR);
  if (!file.isFile() || dir === undefined || !dir.isDirectory() || !ownOnly(file) || !ownOnly(dir)) {
    throw new DevNatsSessionError('not used: it and its directory must belong to this user and be closed to others (as npm start writes them)');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(DEV_NATS_SESSION_FILE, 'utf8'));
  } catch (err) {
    throw new DevNatsSessionError(`not used: ${(err as Error).message}`);
  }
  const { url, user, pass } = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Partial<Record<keyof DevNatsSession, unknown>>;
  if (typeof url !== 'string' || typeof user !== 'string' || typeof pass !== 'string') throw new DevNatsSessionError('not used: expected {url, user, pass}');
  return { url, user, pass };
}

/**
 * The session a NATS client started with `env` should use: none when `env` has NATS
 * credentials, or when `url` (the servers the client was told to use, if it was) is not the
 * launcher's, so the per-run password never goes to another server. A file that cannot be
 * trusted is reported through `warn` and ignored.
 */
export function launcherSessionFor(env: NodeJS.ProcessEnv, url: string | undefined, warn: (message: string) => void): DevNatsSession | undefined {
  if ((env.NATS_USER ?? '') !== '' || (env.NATS_CREDS ?? '') !== '') return undefined;
  let session;
  try {
    session = readDevNatsSession();
  } catch (err) {
    if (!(err instanceof DevNatsSessionError)) throw err;
    warn(`ignoring the npm start session: ${err.message}`);
    return undefined;
  }
  return session === undefined || (url !== undefined && url !== session.url) ? undefined : session;
}

function statOf(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new DevNatsSessionError(`not used: ${code ?? String(err)}`);
  }
}

function ownOnly(stats: Stats): boolean {
  const uid = process.getuid?.();
  return (uid === undefined || stats.uid === uid) && (stats.mode & 0o077) === 0;
}
