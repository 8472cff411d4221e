/**
 * Headers that describe one connection, not the message (RFC 9110 §7.6.1), plus any the
 * `Connection` header names. They are never forwarded or stored.
 */

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  // Proxy-specific, so never stored either (RFC 9111 §3.1).
  'proxy-authentication-info',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

const CONNECTION_OPTION_ONLY = /^[ \t]*(?:keep-alive|close)[ \t]*$/i;

export function connectionListed(connection: string | string[] | undefined): Set<string> | undefined {
  if (connection === undefined) return undefined;
  const listed = new Set<string>();
  for (const value of Array.isArray(connection) ? connection : [connection]) {
    for (const token of value.split(',')) listed.add(token.trim().toLowerCase());
  }
  return listed;
}

export function isHopByHop(name: string, listed: Set<string> | undefined): boolean {
  return HOP_BY_HOP.has(name) || (listed?.has(name) ?? false);
}

/**
 * Removes the fields a request's `Connection` names (RFC 9110 §7.6.1: they are for this
 * hop and MUST NOT be forwarded), so that the key, a fill, a pass and Vary all see the
 * request without them: a keyed field the fill could not send would key an answer to its
 * absence under its value.
 */
export function dropConnectionListed(headers: Record<string, string | string[] | undefined>): void {
  const connection = headers.connection;
  // Most clients send only `keep-alive` or `close`, which name no field: nothing to parse.
  if (connection === undefined || (typeof connection === 'string' && CONNECTION_OPTION_ONLY.test(connection))) return;
  const listed = connectionListed(connection);
  if (listed === undefined) return;
  for (const name of listed) if (name !== 'connection' && headers[name] !== undefined) delete headers[name];
}
