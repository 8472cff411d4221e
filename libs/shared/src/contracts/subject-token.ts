/**
 * Encoding of free-form keys (tags, URLs, group codes) as a single subject token.
 * base64url never contains `.`, `*`, `>` or whitespace, so any key fits in one token.
 */
import { InvalidSubjectTokenError } from '../errors.js';

const UNSAFE_TOKEN = /[.*>\s]/;

/** Encodes any string as one subject-safe token (base64url of its UTF-8 bytes). */
export function encodeSubjectToken(value: string): string {
  if (value === '') throw new InvalidSubjectTokenError(value);
  return Buffer.from(value, 'utf8').toString('base64url');
}

export function decodeSubjectToken(token: string): string {
  return Buffer.from(token, 'base64url').toString('utf8');
}

/** Accepts a raw token only when it cannot change the subject's shape. */
export function assertSafeToken(token: string): string {
  if (token === '' || UNSAFE_TOKEN.test(token)) throw new InvalidSubjectTokenError(token);
  return token;
}
