/**
 * Basic authentication against a users file (README, Access control): a cached credential
 * costs a SHA-256 and a map lookup; a cold one runs scrypt once, and an unknown user runs a
 * dummy scrypt of the same cost so it takes as long as a wrong password. Failures per client
 * address are delayed, then refused. Roles are the caller's business (`allows`).
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseBasicCredentials } from './basic-credentials.js';
import { CredentialCache } from './credential-cache.js';
import { DEFAULT_FAILURE_LIMITS, FailureLimiter, type FailureLimits } from './failure-limiter.js';
import { DEFAULT_COST, KEY_BYTES, verifyPassword, type PasswordHash } from './password-hash.js';
import type { Principal } from './roles.js';
import { loadUsersFile, type UsersDirectory } from './users-file.js';

/** Why a credential was not accepted: the label set of the auth failure counters. */
export type AuthFailureReason = 'missing' | 'malformed' | 'unknown-user' | 'wrong-password';

export type AuthResult =
  | { kind: 'ok'; principal: Principal }
  | { kind: 'unauthorized'; reason: AuthFailureReason }
  | { kind: 'refused'; retryAfterSeconds: number };

export interface AuthEvents {
  failed(reason: AuthFailureReason): void;
  refused(): void;
}

export interface AuthenticatorOptions {
  usersFile: string;
  events: AuthEvents;
  limits?: FailureLimits;
  cacheLimit?: number;
  cacheTtlMs?: number;
  /** The scrypt check; a parameter so tests can see that unknown users pay for one too. */
  verify?: (password: string, hash: PasswordHash) => Promise<boolean>;
}

const MISSING: AuthResult = { kind: 'unauthorized', reason: 'missing' };

export class Authenticator {
  readonly #usersFile: string;
  readonly #events: AuthEvents;
  readonly #cache: CredentialCache;
  readonly #limiter: FailureLimiter;
  readonly #verify: (password: string, hash: PasswordHash) => Promise<boolean>;
  #users: UsersDirectory;
  #dummy: PasswordHash;

  constructor(options: AuthenticatorOptions) {
    this.#usersFile = options.usersFile;
    this.#events = options.events;
    this.#cache = new CredentialCache(options.cacheLimit ?? 10_000, options.cacheTtlMs ?? 5 * 60_000);
    this.#limiter = new FailureLimiter(options.limits ?? DEFAULT_FAILURE_LIMITS);
    this.#verify = options.verify ?? verifyPassword;
    this.#users = loadUsersFile(this.#usersFile);
    this.#dummy = dummyHash(this.#users);
  }

  /** Re-reads the users file (throws ConfigError, keeping the old users, when it is bad) and forgets every cached credential. */
  reload(): void {
    const users = loadUsersFile(this.#usersFile);
    this.#users = users;
    this.#dummy = dummyHash(users);
    this.#cache.clear();
  }

  /** Synchronous for a cached credential (the hit path); a promise when scrypt or a delay is involved. */
  check(field: string | undefined, address: string, now: number = Date.now()): AuthResult | Promise<AuthResult> {
    if (field === undefined || field === '') {
      // A request without credentials guesses nothing (a browser's first try): counted, never limited.
      this.#events.failed('missing');
      return MISSING;
    }
    const key = CredentialCache.keyOf(field);
    const principal = this.#cache.get(key, now);
    if (principal !== undefined) return { kind: 'ok', principal };
    const verdict = this.#limiter.verdict(address, now);
    if (verdict.kind === 'refuse') {
      this.#events.refused();
      return { kind: 'refused', retryAfterSeconds: verdict.retryAfterSeconds };
    }
    const credentials = parseBasicCredentials(field);
    if (credentials === undefined) return this.#fail('malformed', address, now);
    return this.#verifyCold(key, credentials.username, credentials.password, address);
  }

  async #verifyCold(key: string, username: string, password: string, address: string): Promise<AuthResult> {
    const user = this.#users.get(username);
    // An unknown user costs one scrypt too: the answer's timing does not tell who exists.
    const valid = await this.#verify(password, user?.hash ?? this.#dummy);
    if (user !== undefined && valid) {
      this.#cache.set(key, user.principal, Date.now());
      return { kind: 'ok', principal: user.principal };
    }
    return this.#fail(user === undefined ? 'unknown-user' : 'wrong-password', address, Date.now());
  }

  #fail(reason: AuthFailureReason, address: string, now: number): AuthResult | Promise<AuthResult> {
    this.#events.failed(reason);
    const delayMs = this.#limiter.fail(address, now);
    const result: AuthResult = { kind: 'unauthorized', reason };
    return delayMs === 0 ? result : sleep(delayMs).then(() => result);
  }
}

/** A hash no password matches, with the cost of the file's first user (the usual cost of the file). */
function dummyHash(users: UsersDirectory): PasswordHash {
  const first = users.values().next().value?.hash;
  const cost = first ?? DEFAULT_COST;
  return { N: cost.N, r: cost.r, p: cost.p, salt: randomBytes(16), key: randomBytes(KEY_BYTES) };
}
