/**
 * A header field value that any text can be sent in. Visible ASCII and spaces go as they
 * are; anything else (CR, LF, other controls, non-ASCII) would end the field early or
 * make Node refuse the whole answer, so such a value is sent as an RFC 8187 ext-value:
 * `UTF-8''` and the UTF-8 bytes percent-encoded except attr-char (§3.2.1). A value that
 * already starts with `UTF-8''` is encoded too, so a reader can always tell which it got
 * (decode with `decodeURIComponent(value.slice(7))`). Used for admin-supplied text.
 */

const PLAIN = /^[\x20-\x7e]*$/;
const EXT_VALUE_PREFIX = /^utf-8''/i;
/** A surrogate without its pair (a string, not text): encoded as U+FFFD, as TextEncoder does. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
/** encodeURIComponent leaves these alone, but they are not RFC 8187 attr-char. */
const NOT_ATTR_CHAR = /[*'()]/g;

function percent(char: string): string {
  return `%${char.charCodeAt(0).toString(16).toUpperCase()}`;
}

export function safeFieldValue(text: string): string {
  if (PLAIN.test(text) && !EXT_VALUE_PREFIX.test(text)) return text;
  return `UTF-8''${encodeURIComponent(text.replace(LONE_SURROGATE, '\ufffd')).replace(NOT_ATTR_CHAR, percent)}`;
}
