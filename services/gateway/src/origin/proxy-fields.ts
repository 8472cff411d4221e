/**
 * The request fields a proxy speaks for itself (README, Forwarded headers): the ones a
 * client could use to make the origin see another target, host, scheme, method or client
 * address are not passed on unless a route lists them, and the gateway writes its own
 * `X-Forwarded-For`, `X-Forwarded-Proto` and `Via`. Pure: no I/O.
 */
import { combinedField } from '../http/field-lines.js';

/**
 * Fields frameworks and origins read as the request's real target, host, scheme, method
 * or client (cache poisoning, routing and IP-allowlist bypasses). From a client they are
 * forwarded only when the route lists them (or a fill's key holds them).
 */
export const CLIENT_REWRITING_FIELDS: ReadonlySet<string> = new Set([
  'forwarded',
  'x-forwarded-for',
  'x-forwarded-host',
  'x-forwarded-server',
  'x-forwarded-port',
  'x-forwarded-proto',
  'x-forwarded-scheme',
  'x-forwarded-prefix',
  'x-forwarded-ssl',
  'x-forwarded-uri',
  'x-original-url',
  'x-original-uri',
  'x-original-host',
  'x-rewrite-url',
  'x-host',
  'x-url-scheme',
  'front-end-https',
  'x-http-method-override',
  'x-http-method',
  'x-method-override',
  'x-real-ip',
  'x-client-ip',
  'true-client-ip',
]);

/**
 * The fields the gateway writes itself on every origin request: an origin's Vary on one of
 * them names a value no client request carries, so such a response is never stored.
 */
export const GATEWAY_FORWARDING_FIELDS: ReadonlySet<string> = new Set(['x-forwarded-for', 'x-forwarded-proto', 'via']);

/** The gateway's name in `Via` (RFC 9110 §7.6.3: a pseudonym rather than its host). */
export const VIA_PSEUDONYM = 'cairn';

export interface Peer {
  /** The client's socket address; '' when unknown. */
  address: string;
  /** The client's HTTP version, as `Via` names the protocol received. */
  httpVersion: string;
}

/**
 * The gateway's own forwarding fields, given which of the client's it passes on (`kept`):
 * `X-Forwarded-For` is the peer address, after the client's chain when kept (nginx's
 * `$proxy_add_x_forwarded_for`); `X-Forwarded-Proto` is `http` (the listener's scheme)
 * unless the client's is kept; `Via` appends this hop to the client's when kept (RFC 9110
 * §7.6.3: a gateway MUST send Via on the requests it forwards).
 */
export function gatewayForwardingFields(headers: Record<string, string | string[] | undefined>, peer: Peer, kept: (name: string) => boolean): Record<string, string> {
  const out: Record<string, string> = {};
  const chain = kept('x-forwarded-for') ? combinedField(headers['x-forwarded-for']) : undefined;
  const forwardedFor = [chain, peer.address].filter((part) => part !== undefined && part !== '').join(', ');
  if (forwardedFor !== '') out['x-forwarded-for'] = forwardedFor;
  out['x-forwarded-proto'] = (kept('x-forwarded-proto') ? combinedField(headers['x-forwarded-proto']) : undefined) ?? 'http';
  const via = kept('via') ? combinedField(headers.via) : undefined;
  const hop = `${peer.httpVersion} ${VIA_PSEUDONYM}`;
  out.via = via === undefined || via === '' ? hop : `${via}, ${hop}`;
  return out;
}
