/**
 * Verified `Authorization` values, so scrypt runs once per credential and not per request:
 * a bounded LRU keyed by the SHA-256 of the field value (the password is never kept), each
 * entry good for a TTL. Holds successes only; failures go to the failure limiter.
 */
import * as crypto from 'node:crypto';
import { LruCache } from '../rules/lru-cache.js';
import type { Principal } from './roles.js';

const oneShotHash = (crypto as { hash?: (algorithm: string, data: string, encoding: 'base64') => string }).hash;

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

  /** The field's SHA-256: node's one-shot `crypto.hash` (20.12+, about half the cost on the hit path) when there is one. */
  static keyOf(field: string): string {
    return oneShotHash === undefined ? crypto.createHash('sha256').update(field).digest('base64') : oneShotHash('sha256', field, 'base64');
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
