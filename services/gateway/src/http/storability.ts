/**
 * May an origin response be stored at all (DESIGN.md §6)? Status 200 only; never with
 * Set-Cookie, `Cache-Control: private` or `no-store`, or `Vary` (the key decides variants).
 */
import type { DecisionReason } from '../flow/outcome.js';

const PRIVATE_OR_NO_STORE = /(?:^|,)\s*(?:private|no-store)\s*(?:[,=]|$)/i;

export function unstorableReason(status: number, headers: Record<string, string | string[] | undefined>): DecisionReason | undefined {
  if (status !== 200) return 'not-storable-status';
  if (headers['set-cookie'] !== undefined) return 'set-cookie';
  const cacheControl = headers['cache-control'];
  if (cacheControl !== undefined && PRIVATE_OR_NO_STORE.test(String(cacheControl))) return 'origin-private';
  if (headers.vary !== undefined) return 'vary-not-in-key';
  return undefined;
}
