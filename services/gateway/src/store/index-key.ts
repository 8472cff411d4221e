/**
 * Keys of the secondary indexes (README, Invalidation: tag and URL deletions never scan): one
 * namespace per kind, and hashed keys in a namespace of their own, so no tag or path,
 * however long or however spelled, can reach another's index key.
 */
import { createHash } from 'node:crypto';

/** Index keys longer than this many UTF-8 bytes are hashed (LMDB's key limit is 1,978 bytes). */
const MAX_INDEX_KEY_BYTES = 1000;

/**
 * `t\0<tag>` / `u\0<normalized path>` verbatim; `t\u0001<md5>` / `u\u0001<md5>` when the
 * verbatim form is too long. The separator, not the value, says which form a key is in.
 */
export function indexKey(kind: 'tag' | 'url', value: string): string {
  const prefix = kind === 'tag' ? 't' : 'u';
  const verbatim = `${prefix}\u0000${value}`;
  // Length first: it bounds the byte length from below, so most keys skip the byte count.
  if (verbatim.length <= MAX_INDEX_KEY_BYTES / 3 || Buffer.byteLength(verbatim) <= MAX_INDEX_KEY_BYTES) return verbatim;
  return `${prefix}\u0001${createHash('md5').update(value).digest('hex')}`;
}
