/**
 * Variants: responses for one URL key selected by a Vary on forwarded headers. The URL key
 * holds a marker entry that names the Vary fields and the variants stored, most recently
 * stored last; each variant lives under `<url key>|v:<variant id>`. Key parts are escaped
 * so that an unescaped `|` only ever starts a part the key builder writes (`|h:`, `|c:`),
 * and hashed keys start `<cache>#`, so no request's key can be a variant's key.
 *
 * The marker's list is the authority: a variant not listed is never served, so a variant
 * left behind after its marker was replaced or removed cannot come back.
 */
import { ALWAYS_UNIFORM } from '../http/storability.js';
import { variantId, varyNames } from '../http/vary.js';
import type { EntryMeta } from './cache-entry.js';

const VARIANT_SEPARATOR = '|v:';

export function variantKey(urlKey: string, id: string): string {
  return urlKey + VARIANT_SEPARATOR + id;
}

export type VariantMeta = EntryMeta & { varyOn: string[]; variantId: string };

export function isVariant(meta: EntryMeta): meta is VariantMeta {
  return meta.varyOn !== undefined && meta.variantId !== undefined;
}

/** Whether a stored entry is a URL key's variant marker rather than a response. */
export function isVariantMarker(meta: EntryMeta): boolean {
  return meta.variants !== undefined;
}

/**
 * The Vary fields a response is stored under as variants: those a fill forwards. Keyed
 * fields are in the URL key already; accept-encoding is the same on every fill.
 */
export function variantFields(vary: string | string[] | undefined, keyedHeaders: readonly string[], forwardedHeaders: readonly string[]): string[] {
  if (vary === undefined || forwardedHeaders.length === 0) return [];
  return varyNames(vary).names.filter((name) => forwardedHeaders.includes(name) && !keyedHeaders.includes(name) && !ALWAYS_UNIFORM.has(name));
}

export interface VariantList {
  /** The variant ids the marker lists after this store, most recent last. */
  ids: string[];
  /** Ids dropped to keep within the bound; their entries are removed. */
  evicted: string[];
}

/**
 * The list after storing variant `id` for the Vary fields `varyOn`. A marker for other
 * fields is replaced: its variants were selected by fields the origin no longer names.
 */
export function nextVariants(marker: EntryMeta | undefined, varyOn: readonly string[], id: string, max: number): VariantList {
  const current = marker?.variants;
  if (current === undefined || !sameFields(marker?.varyOn, varyOn)) return { ids: [id], evicted: current === undefined ? [] : current.filter((old) => old !== id) };
  const ids = current.filter((old) => old !== id);
  ids.push(id);
  const evicted = ids.length > max ? ids.splice(0, ids.length - max) : [];
  return { ids, evicted };
}

function sameFields(a: readonly string[] | undefined, b: readonly string[]): boolean {
  return a !== undefined && a.length === b.length && a.every((name, i) => name === b[i]);
}

/** Whether an answer selected by Vary fields (a variant, or a shared fill's answer) is this request's. */
export function selectsRequest(meta: EntryMeta, headers: Readonly<Record<string, string | string[] | undefined>>): boolean {
  return meta.varyOn === undefined || variantId(meta.varyOn, headers) === meta.variantId;
}
