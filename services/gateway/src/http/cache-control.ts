/**
 * Cache-Control directives as a map (RFC 9111 §5.2): names lowercased, quoted values
 * unquoted. Used for the request directives the gateway honours and the response flags
 * that forbid serving stale; freshness itself comes from http-cache-semantics.
 */
export type Directives = ReadonlyMap<string, string>;

const EMPTY: Directives = new Map();

export function parseCacheControl(header: string | string[] | undefined): Directives {
  if (header === undefined || header === '') return EMPTY;
  const directives = new Map<string, string>();
  for (const part of (Array.isArray(header) ? header.join(',') : header).split(',')) {
    const eq = part.indexOf('=');
    const name = (eq === -1 ? part : part.slice(0, eq)).trim().toLowerCase();
    if (name === '' || directives.has(name)) continue;
    const value = eq === -1 ? '' : part.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
    directives.set(name, value);
  }
  return directives;
}

/** `must-revalidate`, `proxy-revalidate` and `s-maxage` forbid a shared cache to serve the response stale. */
export function forbidsStale(responseCacheControl: string | string[] | undefined): boolean {
  const d = parseCacheControl(responseCacheControl);
  return d.has('must-revalidate') || d.has('proxy-revalidate') || d.has('s-maxage');
}
