/**
 * Verified `Authorization` values, so scrypt runs once per credential and not per request:
 * a bounded LRU keyed by the SHA-256 of the field value (the password is never kept), each
 * entry good for a TTL. Holds successes only; failures go to the failure limiter.
 */
import { createHash } from 'node:crypto';
import { LruCache } from '../rules/lru-cache.js';
import type { Principal } from './roles.js';

interface Verified {
  principal: Principal;
  expiresAt: number;
}

export class CredentialCache {
  readonly #entries: LruCache<string, Verified>;
  readonly #ttlMs: number;

  constructor(limit: number, ttlMs: number) {
    this.#entries = new LruCache(limit);
    this.#ttlMs = ttlMs;
  }

  static keyOf(field: string): string {
    return createHash('sha256').update(field).digest('base64');
  }

  get(key: string, now: number): Principal | undefined {
    const verified = this.#entries.get(key);
    if (verified === undefined || verified.expiresAt <= now) return undefined;
    return verified.principal;
  }

  set(key: string, principal: Principal, now: number): void {
    this.#entries.set(key, { principal, expiresAt: now + this.#ttlMs });
  }

  /** A reload of the users file: a removed user or changed password stops working at once. */
  clear(): void {
    this.#entries.clear();
  }

  get size(): number {
    return this.#entries.size;
  }
}
