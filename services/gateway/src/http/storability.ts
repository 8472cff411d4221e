/**
 * May an origin response be stored at all (docs/request-flow.md)? Only a configured status (200
 * by default; never 206), never with Set-Cookie, `private` or `no-store` in the governing
 * cache field (a targeted one, RFC 9213, else Cache-Control), and `Vary` only on headers
 * that are part of the key or forwarded on fills (never `Vary: *`). Whether it has
 * freshness is freshness.ts's.
 */
import type { DecisionReason } from '../flow/outcome.js';
import { HEURISTICALLY_CACHEABLE } from './freshness.js';
import { responseDirectives } from './response-directives.js';
import { GATEWAY_FORWARDING_FIELDS } from '../origin/proxy-fields.js';
import { varyNames } from './vary.js';

/**
 * Statuses whose caching requirements the gateway implements, for `must-understand`
 * (RFC 9111 §5.2.2.3): those HTTP defines as cacheable (RFC 9110 §15.1).
 */
const UNDERSTOOD_STATUSES = HEURISTICALLY_CACHEABLE;

/**
 * Fills always ask for an identity encoding, so a response varying only on
 * accept-encoding is the same for every client.
 */
export const ALWAYS_UNIFORM: ReadonlySet<string> = new Set(['accept-encoding']);

export interface StorabilityRules {
  statuses: ReadonlySet<number>;
  /** Lowercase names of the headers in the route's cache key. */
  keyedHeaders: readonly string[];
  /** Lowercase names of the headers a fill forwards besides the keyed ones: a Vary on them makes variants. */
  forwardedHeaders: readonly string[];
}

/**
 * A Vary naming a field the fill never sent (neither keyed nor forwarded) cannot be
 * honoured: the origin answered for that field's absence, and a client that sends it
 * could only be served by forwarding it. Nor can one naming a field the gateway writes
 * itself (X-Forwarded-For …): no client's value of it is what the origin saw. `Vary: *`
 * is never reusable (RFC 9111 §4.1).
 */
function varyOutsideKey(vary: string | string[], rules: StorabilityRules): boolean {
  const { star, names } = varyNames(vary);
  if (star) return true;
  for (const name of names) {
    if (GATEWAY_FORWARDING_FIELDS.has(name)) return true;
    if (!ALWAYS_UNIFORM.has(name) && !rules.keyedHeaders.includes(name) && !rules.forwardedHeaders.includes(name)) return true;
  }
  return false;
}

export function unstorableReason(status: number, headers: Record<string, string | string[] | undefined>, rules: StorabilityRules): DecisionReason | undefined {
  if (status === 206 || !rules.statuses.has(status)) return 'not-storable-status';
  if (headers['set-cookie'] !== undefined) return 'set-cookie';
  const d = responseDirectives(headers);
  // §5.2.2.3: must-understand stores only a status understood, and then overrides no-store.
  if (d.mustUnderstand && !UNDERSTOOD_STATUSES.has(status)) return 'not-storable-status';
  if (d.private || (d.noStore && !d.mustUnderstand)) return 'origin-private';
  if (headers.vary !== undefined && varyOutsideKey(headers.vary, rules)) return 'vary-not-in-key';
  return undefined;
}
