/**
 * Vary (RFC 9110 §12.5.5, RFC 9111 §4.1): which request fields a stored response was
 * selected by, and how a later request's values of them are compared. A stored response
 * may be reused only for a request whose values of those fields match the original's
 * "after normalization": field lines combined (§5.3), whitespace around commas and runs
 * of whitespace collapsed, case folded for the fields whose values are case-insensitive
 * (§4.1 names that kind of normalization). A field absent from one request matches only
 * its absence in the other.
 */
import { createHash } from 'node:crypto';
import { combinedField } from './field-lines.js';

export interface VaryNames {
  /** `Vary: *`: the answer depends on more than the request's fields; never reusable. */
  star: boolean;
  /** The field names, lowercased, without repeats, in name order. */
  names: string[];
}

/** Content-negotiation fields whose values compare case-insensitively (RFC 9110 §12.5). */
const CASE_INSENSITIVE = new Set(['accept', 'accept-charset', 'accept-encoding', 'accept-language']);

export function varyNames(vary: string | readonly string[] | undefined): VaryNames {
  const value = combinedField(vary);
  if (value === undefined) return { star: false, names: [] };
  const names = new Set<string>();
  let star = false;
  for (const part of value.split(',')) {
    const name = part.trim().toLowerCase();
    if (name === '*') star = true;
    else if (name !== '') names.add(name);
  }
  return { star, names: [...names].sort() };
}

/** A request field's value as Vary compares it; undefined when the request lacks the field. */
export function normalizedFieldValue(name: string, value: string | readonly string[] | undefined): string | undefined {
  const combined = combinedField(value);
  if (combined === undefined) return undefined;
  const collapsed = combined.trim().replace(/[ \t]*,[ \t]*/g, ',').replace(/[ \t]+/g, ' ');
  return CASE_INSENSITIVE.has(name) ? collapsed.toLowerCase() : collapsed;
}

/**
 * The identity of a request's variant for the given (sorted, lowercased) names: a digest of
 * each name with its normalized value, or with nothing when absent, so that absent and
 * empty differ and no value can imitate another field's.
 */
export function variantId(names: readonly string[], headers: Readonly<Record<string, string | string[] | undefined>>): string {
  const hash = createHash('sha256');
  for (const name of names) {
    const value = normalizedFieldValue(name, headers[name]);
    hash.update(value === undefined ? `${name}\n` : `${name}=${JSON.stringify(value)}\n`);
  }
  return hash.digest('base64url').slice(0, 22);
}
