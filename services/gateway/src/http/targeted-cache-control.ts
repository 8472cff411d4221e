/**
 * Targeted Cache-Control fields (RFC 9213): which one governs Cairn, and which ones clients
 * never see. Cairn's target list (§2.2) is `Cairn-Cache-Control` (this gateway alone), then
 * `CDN-Cache-Control` (§3); the first present, valid and non-empty one is used whole and
 * Cache-Control and Expires are ignored for Cairn's own decisions. It does not interpret
 * the directives: http/response-directives.ts does.
 */
import { headers as cairnHeaders } from '@cairn/shared';
import { combinedField } from './field-lines.js';
import { parseSfDictionary, type SfValue } from './sf-dictionary.js';

export const CAIRN_CACHE_CONTROL = cairnHeaders.cairnCacheControl;
/** RFC 9213 §3. */
export const CDN_CACHE_CONTROL = 'cdn-cache-control';

/** Most applicable first (§2.2). */
export const TARGET_LIST = [CAIRN_CACHE_CONTROL, CDN_CACHE_CONTROL] as const;
export type TargetedField = (typeof TARGET_LIST)[number];

type Fields = Record<string, string | string[] | undefined>;

export interface Targeted {
  field: TargetedField;
  directives: ReadonlyMap<string, SfValue>;
}

/**
 * The targeted field that governs Cairn, or undefined when none is usable. An empty field,
 * or one that is not a valid Structured Fields Dictionary, is ignored as if absent (§2.1),
 * so an origin's malformed `CDN-Cache-Control` falls back to Cache-Control.
 */
export function governingTargetedField(fields: Fields): Targeted | undefined {
  for (const field of TARGET_LIST) {
    const text = combinedField(fields[field])?.trim();
    if (text === undefined || text === '') continue;
    const directives = parseSfDictionary(text);
    if (directives !== undefined && directives.size > 0) return { field, directives };
  }
  return undefined;
}

/**
 * Whether a targeted field stays out of what clients get: `Cairn-Cache-Control` always
 * (it is addressed to this gateway alone), `CDN-Cache-Control` unless
 * FORWARD_CDN_CACHE_CONTROL (a CDN in front of Cairn may want it).
 */
export function isWithheldField(name: string, forwardCdnCacheControl: boolean): boolean {
  return name === CAIRN_CACHE_CONTROL || (name === CDN_CACHE_CONTROL && !forwardCdnCacheControl);
}

/** The names `isWithheldField` holds for: what clients never get of the targeted fields. */
export function withheldTargetedNames(forwardCdnCacheControl: boolean): readonly TargetedField[] {
  return TARGET_LIST.filter((name) => isWithheldField(name, forwardCdnCacheControl));
}

/**
 * The targeted fields of a response as kept for the gateway's own later decisions (a 304
 * recomputes freshness from them): only those withheld from the stored fields; undefined
 * when there are none, which is the common case.
 */
export function withheldTargetedFields(fields: Fields, forwardCdnCacheControl: boolean): Record<string, string> | undefined {
  let kept: Record<string, string> | undefined;
  for (const field of TARGET_LIST) {
    const value = combinedField(fields[field]);
    if (value === undefined || !isWithheldField(field, forwardCdnCacheControl)) continue;
    kept ??= {};
    kept[field] = value;
  }
  return kept;
}
