/**
 * The `Authorization: Basic` request field (RFC 7617 §2), parsed strictly: one scheme token,
 * one space, canonical base64, a colon in the decoded user-pass. Anything else is malformed.
 */

export interface BasicCredentials {
  username: string;
  password: string;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** The credentials, or undefined when the field is not a well-formed Basic credential. */
export function parseBasicCredentials(field: string): BasicCredentials | undefined {
  // RFC 7235 §2.1: the scheme is case-insensitive.
  if (field.length < 7 || field.slice(0, 6).toLowerCase() !== 'basic ') return undefined;
  const token = field.slice(6);
  if (!BASE64.test(token) || token.length % 4 !== 0) return undefined;
  const decoded = Buffer.from(token, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  // RFC 7617 §2: the user-id cannot contain a colon; control characters are not allowed.
  if (colon <= 0 || hasControlCharacter(decoded)) return undefined;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}
