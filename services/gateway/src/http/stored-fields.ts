/**
 * Which response fields a stored response keeps (RFC 9111 §3.1) and how a 304 to a
 * revalidation updates them (§3.2, §4.3.4). Whether the result may be stored at all is
 * storability.ts's question; this module only shapes the fields.
 */
import { isGatewayOwned } from './gateway-headers.js';
import { isHopByHop } from './hop-by-hop.js';
import { CAIRN_CACHE_CONTROL } from './targeted-cache-control.js';

export type Fields = Record<string, string | string[]>;

/**
 * Fields that describe the stored body, not the revalidation: a 304 never replaces them
 * (§3.2: Content-Length MUST NOT be updated; the others would no longer describe the bytes
 * kept, as in the spec's Content-Encoding and Content-Type examples).
 */
const BODY_FIELDS = new Set(['content-length', 'content-encoding', 'content-type', 'transfer-encoding', 'content-range']);

/** `Age` is recomputed from storedAt on every answer from the store; an origin's is meaningless there. */
const AGE = 'age';
/** One client's cookie: never part of a shared entry (docs/request-flow.md). */
const SET_COOKIE = 'set-cookie';

/**
 * Names a stored response never keeps: hop-by-hop (§3.1), the gateway's own, Age,
 * Set-Cookie, and Cairn-Cache-Control (addressed to this gateway alone, RFC 9213; the
 * store keeps its value apart, in EntryMeta.targetedFields).
 */
function neverStored(name: string, syntheticOrigin: boolean): boolean {
  return name === AGE || name === SET_COOKIE || name === CAIRN_CACHE_CONTROL || isHopByHop(name, undefined) || isGatewayOwned(name, syntheticOrigin);
}

/**
 * The fields of a fetched response as stored: without the names above and without
 * Content-Length (the body is stored whole; its own length is sent). Done once at store
 * time, so a hit copies stored fields without filtering them.
 */
export function storedFields(fields: Fields, syntheticOrigin: boolean): Fields {
  const stored: Fields = {};
  for (const name in fields) {
    if (name === 'content-length' || neverStored(name, syntheticOrigin)) continue;
    stored[name] = fields[name] as string | string[];
  }
  return stored;
}

/**
 * The stored response as a 304 updates it (§4.3.4 → §3.2): each field the 304 carries
 * replaces the stored one, except those that describe the stored body and those that are
 * never stored. `Set-Cookie` is kept in the result, so the storability check that follows
 * sees it (and refuses to store it); the answer to the revalidating client may carry it.
 */
export function updatedFields(stored: Fields, notModified: Fields, syntheticOrigin: boolean): Fields {
  const updated: Fields = { ...stored };
  for (const name in notModified) {
    if (BODY_FIELDS.has(name)) continue;
    if (name !== SET_COOKIE && neverStored(name, syntheticOrigin)) continue;
    updated[name] = notModified[name] as string | string[];
  }
  return updated;
}
