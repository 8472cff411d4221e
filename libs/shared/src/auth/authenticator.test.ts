import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Authenticator, type AuthFailureReason, type AuthResult } from './authenticator.js';
import { hashPassword, verifyPassword, type PasswordHash } from './password-hash.js';

const cheap = { N: 1024, r: 8, p: 1 };
const dir = mkdtempSync(join(tmpdir(), 'cairn-auth-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

async function usersFile(users: Array<{ username: string; password: string; roles: string[] }>): Promise<string> {
  const path = join(dir, `users-${Math.random().toString(36).slice(2)}.json`);
  const entries = await Promise.all(users.map(async (u) => ({ username: u.username, passwordHash: await hashPassword(u.password, cheap), roles: u.roles })));
  writeFileSync(path, JSON.stringify({ users: entries }));
  return path;
}

function counting() {
  const failures: AuthFailureReason[] = [];
  let refused = 0;
  const verified: PasswordHash[] = [];
  return {
    failures,
    get refused() {
      return refused;
    },
    verified,
    events: { failed: (reason: AuthFailureReason) => failures.push(reason), refused: () => refused++ },
    verify: (password: string, hash: PasswordHash) => {
      verified.push(hash);
      return verifyPassword(password, hash);
    },
  };
}

const settle = async (result: AuthResult | Promise<AuthResult>) => await result;

describe('authenticator', () => {
  it('runs scrypt once per credential: the next check is answered from the cache in the same turn', async () => {
    const seen = counting();
    const auth = new Authenticator({ usersFile: await usersFile([{ username: 'ops', password: 'pw', roles: ['cache_admin'] }]), events: seen.events, verify: seen.verify });
    const first = auth.check(basic('ops', 'pw'), '10.0.0.1');
    expect(first).toBeInstanceOf(Promise);
    expect(await first).toMatchObject({ kind: 'ok', principal: { username: 'ops', admin: true } });
    const second = auth.check(basic('ops', 'pw'), '10.0.0.1');
    expect(second).toMatchObject({ kind: 'ok', principal: { username: 'ops' } });
    expect(seen.verified).toHaveLength(1);
  });

  it('checks a cached credential again once its TTL has passed', async () => {
    const seen = counting();
    const auth = new Authenticator({ usersFile: await usersFile([{ username: 'ops', password: 'pw', roles: ['cache_user'] }]), events: seen.events, verify: seen.verify, cacheTtlMs: 1000 });
    const now = Date.now();
    await settle(auth.check(basic('ops', 'pw'), 'a', now));
    expect(auth.check(basic('ops', 'pw'), 'a', now + 500)).not.toBeInstanceOf(Promise);
    expect(auth.check(basic('ops', 'pw'), 'a', now + 60_000)).toBeInstanceOf(Promise);
  });

  it('runs a scrypt of the same cost for an unknown user as for a wrong password, and answers both alike', async () => {
    const seen = counting();
    const auth = new Authenticator({ usersFile: await usersFile([{ username: 'ops', password: 'pw', roles: ['cache_user'] }]), events: seen.events, verify: seen.verify });
    expect(await settle(auth.check(basic('ops', 'wrong'), 'a'))).toEqual({ kind: 'unauthorized', reason: 'wrong-password' });
    expect(await settle(auth.check(basic('nobody', 'pw'), 'a'))).toEqual({ kind: 'unauthorized', reason: 'unknown-user' });
    expect(seen.verified).toHaveLength(2);
    const [real, dummy] = seen.verified as [PasswordHash, PasswordHash];
    expect({ N: dummy.N, r: dummy.r, p: dummy.p, keyBytes: dummy.key.length }).toEqual({ N: real.N, r: real.r, p: real.p, keyBytes: real.key.length });
    expect(seen.failures).toEqual(['wrong-password', 'unknown-user']);
  });

  it('forgets cached credentials on reload, so a removed user stops working', async () => {
    const seen = counting();
    const path = await usersFile([{ username: 'ops', password: 'pw', roles: ['cache_user'] }]);
    const auth = new Authenticator({ usersFile: path, events: seen.events });
    expect(await settle(auth.check(basic('ops', 'pw'), 'a'))).toMatchObject({ kind: 'ok' });
    writeFileSync(path, JSON.stringify({ users: [] }));
    auth.reload();
    expect(await settle(auth.check(basic('ops', 'pw'), 'a'))).toEqual({ kind: 'unauthorized', reason: 'unknown-user' });
  });

  it('refuses an address after repeated failures, but still admits a credential it has verified', async () => {
    const seen = counting();
    const limits = { windowMs: 60_000, delayAfter: 100, delayMs: 1, refuseAfter: 3, maxAddresses: 10 };
    const auth = new Authenticator({ usersFile: await usersFile([{ username: 'ops', password: 'pw', roles: ['cache_user'] }]), events: seen.events, limits });
    expect(await settle(auth.check(basic('ops', 'pw'), 'a'))).toMatchObject({ kind: 'ok' });
    for (let i = 0; i < 3; i++) await settle(auth.check(basic('ops', `guess${i}`), 'a'));
    expect(await settle(auth.check(basic('ops', 'guess9'), 'a'))).toMatchObject({ kind: 'refused', retryAfterSeconds: 60 });
    expect(seen.refused).toBe(1);
    expect(auth.check(basic('ops', 'pw'), 'a')).toMatchObject({ kind: 'ok' });
    expect(await settle(auth.check(basic('ops', 'guess9'), 'b'))).toMatchObject({ kind: 'unauthorized' });
  });

  it('answers a missing and a malformed field without scrypt', async () => {
    const seen = counting();
    const auth = new Authenticator({ usersFile: await usersFile([{ username: 'ops', password: 'pw', roles: ['cache_user'] }]), events: seen.events, verify: seen.verify });
    expect(await settle(auth.check(undefined, 'a'))).toEqual({ kind: 'unauthorized', reason: 'missing' });
    expect(await settle(auth.check('Basic !!', 'a'))).toEqual({ kind: 'unauthorized', reason: 'malformed' });
    expect(seen.verified).toHaveLength(0);
  });
});
