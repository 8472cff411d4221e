/**
 * The normalized path both the rule engine and the cache key see (README, Rules, §6):
 * no query or fragment, unreserved percent-escapes decoded, dot segments resolved,
 * lowercased (escapes in uppercase hex), no trailing slash except for `/`.
 */

const UNRESERVED = /^(4[1-9a-f]|5[0-9a]|6[1-9a-f]|7[0-9a]|3[0-9]|2d|2e|5f|7e)$/;
const ESCAPE = /%([0-9a-f]{2})/g;

/**
 * One pass over a lowercased path's escapes (RFC 3986 §6.2.2): an unreserved character is
 * decoded (lowercased, as the path is), any other escape is written in uppercase hex.
 */
function normalizeEscapes(lowered: string): string {
  return lowered.includes('%')
    ? lowered.replace(ESCAPE, (escape, hex: string) => (UNRESERVED.test(hex) ? String.fromCharCode(parseInt(hex, 16)).toLowerCase() : escape.toUpperCase()))
    : lowered;
}

/** RFC 3986 §5.2.4, on a path that starts with `/`. */
function removeDotSegments(path: string): string {
  if (!path.includes('.')) return path;
  const out: string[] = [];
  const segments = path.split('/');
  for (let i = 1; i < segments.length; i++) {
    const segment = segments[i] as string;
    const last = i === segments.length - 1;
    if (segment === '..') {
      if (out.length > 0) out.pop();
      if (last) out.push('');
    } else if (segment === '.') {
      if (last) out.push('');
    } else {
      out.push(segment);
    }
  }
  return `/${out.join('/')}`;
}

/**
 * The path the cache key and a fill use (docs/request-flow.md, a canonical trailing slash):
 * normalized as below, but a trailing slash is kept, as one (`/A/./b//?q=1` → `/a/b/`), since
 * origins tell `/dir` from `/dir/` (redirecting one to the other).
 */
export function canonicalPath(target: string): string {
  let end = target.length;
  const q = target.indexOf('?');
  if (q !== -1) end = q;
  const hash = target.indexOf('#');
  if (hash !== -1 && hash < end) end = hash;
  let path = target.slice(0, end);
  if (!path.startsWith('/')) path = `/${path}`;
  // Escapes before dot segments: `%2e%2e` is `..`. Uppercase hex is what a fill's origin sees.
  path = removeDotSegments(normalizeEscapes(path.toLowerCase()));
  while (path.length > 2 && path.endsWith('//')) path = path.slice(0, -1);
  return path;
}

/** The path rules see (README, Rules): a canonical path without its trailing slash (except `/`). */
export function trimTrailingSlash(path: string): string {
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

/** Normalizes the path of a request target for rules (`/A/./b/?q=1` → `/a/b`). */
export function normalizePath(target: string): string {
  return trimTrailingSlash(canonicalPath(target));
}
