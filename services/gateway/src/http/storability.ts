/**
 * May an origin response be stored at all (docs/request-flow.md)? Only a configured status (200
 * by default; never 206), never with Set-Cookie, `Cache-Control: private` or `no-store`,
 * and `Vary` only on headers that are part of the key (never `Vary: *`).
 */
import type { DecisionReason } from '../flow/outcome.js';

const PRIVATE_OR_NO_STORE = /(?:^|,)\s*(?:private|no-store)\s*(?:[,=]|$)/i;

/**
 * Fills always ask for an identity encoding, so a response varying only on
 * accept-encoding is the same for every client.
 */
const ALWAYS_UNIFORM = new Set(['accept-encoding']);

export interface StorabilityRules {
  statuses: ReadonlySet<number>;
  /** Lowercase names of the headers in the route's cache key. */
  keyedHeaders: readonly string[];
}

function varyOutsideKey(vary: string | string[], keyedHeaders: readonly string[]): boolean {
  for (const name of (Array.isArray(vary) ? vary.join(',') : vary).split(',')) {
    const header = name.trim().toLowerCase();
    if (header === '') continue;
    if (header === '*' || (!ALWAYS_UNIFORM.has(header) && !keyedHeaders.includes(header))) return true;
  }
  return false;
}

export function unstorableReason(status: number, headers: Record<string, string | string[] | undefined>, rules: StorabilityRules): DecisionReason | undefined {
  if (status === 206 || !rules.statuses.has(status)) return 'not-storable-status';
  if (headers['set-cookie'] !== undefined) return 'set-cookie';
  const cacheControl = headers['cache-control'];
  if (cacheControl !== undefined && PRIVATE_OR_NO_STORE.test(String(cacheControl))) return 'origin-private';
  if (headers.vary !== undefined && varyOutsideKey(headers.vary, rules.keyedHeaders)) return 'vary-not-in-key';
  return undefined;
}
