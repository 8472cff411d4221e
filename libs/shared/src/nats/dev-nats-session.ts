/**
 * The dev launcher's NATS operator credentials for this run (README, NATS permissions): the
 * launcher (scripts/dev.ts) writes them (owner-only) while it runs, so `npm run nats:pub` and
 * `cairn pub` work against it without typing the per-run password, and removes them when it stops.
 */
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const DEV_NATS_SESSION_FILE = join(tmpdir(), 'cairn-dev', 'nats-operator.json');

export interface DevNatsSession {
  url: string;
  user: string;
  pass: string;
}

export function writeDevNatsSession(session: DevNatsSession): void {
  mkdirSync(join(tmpdir(), 'cairn-dev'), { recursive: true, mode: 0o700 });
  writeFileSync(DEV_NATS_SESSION_FILE, JSON.stringify(session), { mode: 0o600 });
  chmodSync(DEV_NATS_SESSION_FILE, 0o600);
}

export function removeDevNatsSession(): void {
  rmSync(DEV_NATS_SESSION_FILE, { force: true });
}

/** The running launcher's session, or undefined when none is running. */
export function readDevNatsSession(): DevNatsSession | undefined {
  let text: string;
  try {
    text = readFileSync(DEV_NATS_SESSION_FILE, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const session = JSON.parse(text) as Partial<DevNatsSession>;
  if (typeof session.url !== 'string' || typeof session.user !== 'string' || typeof session.pass !== 'string') {
    throw new Error(`${DEV_NATS_SESSION_FILE}: not a launcher session (url, user, pass); remove it`);
  }
  return { url: session.url, user: session.user, pass: session.pass };
}
