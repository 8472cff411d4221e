/**
 * Access control is on by default (#11): each service, started as operators start it, stops
 * with one line naming USERS_FILE when it has none, and with one line naming the user and
 * field when an entry is bad. Neither needs NATS: the users file is checked first.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tempDir, type TempDir } from '@cairn/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO = resolve(import.meta.dirname, '../..');
const SERVICES = ['gateway', 'rules', 'invalidation'] as const;

let dir: TempDir;
beforeAll(async () => {
  dir = await tempDir('cairn-auth-startup-');
  writeFileSync(join(dir.path, 'cacheConfiguration.local.json'), JSON.stringify({ defaultOrigin: 'http://127.0.0.1:1', defaultCacheKey: {} }));
  writeFileSync(join(dir.path, 'bad-users.json'), JSON.stringify({ users: [{ username: 'bob', passwordHash: 'plaintext', roles: ['cache_user'] }] }));
});
afterAll(async () => dir?.remove());

/** Runs the service's main.ts to its exit (bounded by the test timeout), with nothing of the parent's auth settings. */
function run(service: (typeof SERVICES)[number], env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const inherited = { ...process.env };
  delete inherited.AUTH_REQUIRED;
  delete inherited.USERS_FILE;
  const child = spawn(join(REPO, 'node_modules/.bin/tsx'), ['--conditions=source', `services/${service}/src/main.ts`], {
    cwd: REPO,
    env: { ...inherited, CONFIG_DIR: dir.path, DATA_DIR: join(dir.path, `data-${service}`), NATS_URL: 'nats://127.0.0.1:1', PORT: '0', ADMIN_PORT: '0', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((done) => child.once('exit', (code) => done({ code, stderr })));
}

describe('access control at startup', () => {
  it.each(SERVICES)('stops the %s service without a USERS_FILE, with one line naming it (#11)', async (service) => {
    const { code, stderr } = await run(service, {});
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toEqual(['environment: USERS_FILE: required when AUTH_REQUIRED is true (set AUTH_REQUIRED=false to run without access control)']);
  });

  it.each(SERVICES)('stops the %s service on an unreadable USERS_FILE, with one line naming it (#11)', async (service) => {
    const { code, stderr } = await run(service, { USERS_FILE: join(dir.path, 'missing.json') });
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toEqual([`environment: USERS_FILE: cannot read ${JSON.stringify(join(dir.path, 'missing.json'))} (ENOENT)`]);
  });

  it('stops on a bad entry with one line naming the user and field (#11)', async () => {
    const file = join(dir.path, 'bad-users.json');
    const { code, stderr } = await run('rules', { USERS_FILE: file });
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toEqual([`${file}: users[0] ("bob").passwordHash: expected scrypt:<N>:<r>:<p>:<base64 salt>:<base64 64-byte key>`]);
  });
});
