/**
 * Encoding of free-form keys (tags, URLs, group codes) as a single, bounded subject token.
 * Short keys become their base64url; long ones a marked SHA-256 digest, so no key can make
 * a subject longer than nats-server's control line (4,096 bytes; issue #9). The full key
 * always travels in the payload: a hashed token cannot be decoded, and readers must not try.
 */
import { createHash } from 'node:crypto';
import { InvalidSubjectTokenError } from '../errors.js';

const UNSAFE_TOKEN = /[.*>\s]/;
/**
 * The longest token any builder emits: 256 characters (a key of up to 192 UTF-8 bytes is
 * encoded verbatim). Every Cairn subject stays far below the 4,096-byte control line.
 */
export const MAX_SUBJECT_TOKEN_LENGTH = 256;
/**
 * Prefix of a hashed token. `#` is outside the base64url alphabet, so no verbatim token
 * starts with it: a long key can never take the subject of a short one.
 */
export const HASHED_TOKEN_MARKER = '#';

/** Encodes any string as one subject-safe token of at most MAX_SUBJECT_TOKEN_LENGTH characters. */
export function encodeSubjectToken(value: string): string {
  if (value === '') throw new InvalidSubjectTokenError(value);
  const encoded = Buffer.from(value, 'utf8').toString('base64url');
  if (encoded.length <= MAX_SUBJECT_TOKEN_LENGTH) return encoded;
  return `${HASHED_TOKEN_MARKER}${createHash('sha256').update(value, 'utf8').digest('base64url')}`;
}

/** True for a token that is a digest of its key (the key is only in the payload). */
export function isHashedToken(token: string): boolean {
  return token.startsWith(HASHED_TOKEN_MARKER);
}

/** The key of a verbatim token; undefined for a hashed one, whose key only the payload holds. */
export function decodeSubjectToken(token: string): string | undefined {
  if (isHashedToken(token)) return undefined;
  return Buffer.from(token, 'base64url').toString('utf8');
}

/** Accepts a raw token only when it cannot change the subject's shape or outgrow its bound. */
export function assertSafeToken(token: string): string {
  if (token === '' || token.length > MAX_SUBJECT_TOKEN_LENGTH || UNSAFE_TOKEN.test(token)) throw new InvalidSubjectTokenError(token);
  return token;
}
