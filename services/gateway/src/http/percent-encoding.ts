/**
 * Whether a request target's path (before `?` or `#`) holds an escape that does not
 * decode: `%` not followed by two hex digits, or escapes that are not UTF-8. The query is
 * not judged (the origin reads it). Only a path with a `%` is decoded, once.
 */
export function hasMalformedPathEscape(target: string): boolean {
  const percent = target.indexOf('%');
  if (percent === -1) return false;
  let end = target.indexOf('?');
  const hash = target.indexOf('#');
  if (hash !== -1 && (end === -1 || hash < end)) end = hash;
  if (end !== -1 && percent > end) return false;
  try {
    decodeURI(end === -1 ? target : target.slice(0, end));
    return false;
  } catch {
    // decodeURI reports a malformed escape by throwing URIError: that is the answer sought.
    return true;
  }
}
