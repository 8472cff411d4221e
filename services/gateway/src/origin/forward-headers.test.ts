import { describe, expect, it } from 'vitest';
import type { Route } from '../context.js';
import { fillHeaders, passHeaders } from './forward-headers.js';

const route = (includeHeaders: string[], includeCookies: string[] = [], originAuth?: [string, string], forwardHeaders: string[] = []) =>
  ({ keyConfig: { includeHeaders, includeQueryParams: [], includeCookies }, originAuth, forwardHeaders }) as unknown as Route;

const peer = { address: '192.0.2.7', httpVersion: '1.1' };
/** What the gateway adds to every origin request for this peer. */
const own = { 'x-forwarded-for': '192.0.2.7', 'x-forwarded-proto': 'http', via: '1.1 cairn' };

const client = {
  host: 'gateway.example',
  authorization: 'Basic dXNlcjpwYXNz',
  'x-device': 'mobile',
  'x-forwarded-host': 'evil.example',
  'accept-encoding': 'gzip',
  'if-none-match': '"v1"',
  cookie: 'session=abc; lang=de; theme=dark',
  connection: 'keep-alive, x-hop',
  'x-hop': '1',
};

describe('fillHeaders', () => {
  it('sends only keyed headers and keyed cookies, plus the origin token', () => {
    expect(fillHeaders(client, route(['x-device'], ['lang'], ['x-origin-token', 't0k']), peer)).toEqual({
      'x-device': 'mobile',
      cookie: 'lang=de',
      'x-origin-token': 't0k',
      ...own,
    });
  });

  it('sends the first value of a repeated keyed cookie name, as the key has it (#9)', () => {
    expect(fillHeaders({ cookie: 'lang=en; theme=dark; lang=de', 'x-device': ' mobile ' }, route(['x-device'], ['lang', 'theme']), peer)).toEqual({
      'x-device': 'mobile',
      cookie: 'lang=en; theme=dark',
      ...own,
    });
  });

  it('matches a keyed cookie name with whitespace around it, as the key does (#9)', () => {
    expect(fillHeaders({ cookie: 'session=s;  lang = de' }, route([], ['lang']), peer)).toEqual({ cookie: 'lang=de', ...own });
  });

  it('sends a repeated keyed header as one combined field value (#9)', () => {
    expect(fillHeaders({ 'x-device': ['mobile', 'tablet'] }, route(['x-device']), peer)).toEqual({ 'x-device': 'mobile, tablet', ...own });
  });

  it('never sends authorization or a conditional header even when an admin keys them', () => {
    expect(fillHeaders(client, route(['authorization', 'if-none-match', 'host']), peer)).toEqual(own);
  });

  it('sends each forwarded header as one combined field value, besides the keyed ones (#10)', () => {
    const forwarding = route(['x-device'], [], undefined, ['user-agent', 'traceparent', 'x-tenant']);
    expect(fillHeaders({ ...client, 'user-agent': 'curl/8', traceparent: '00-abc-01', 'x-tenant': ['blue', 'green'] }, forwarding, peer)).toEqual({
      'x-device': 'mobile',
      'user-agent': 'curl/8',
      traceparent: '00-abc-01',
      'x-tenant': 'blue, green',
      ...own,
    });
  });

  it('never sends a client\'s target-rewriting header unless it is listed (#10)', () => {
    const rewriting = { 'x-forwarded-host': 'evil.example', 'x-original-url': '/admin', forwarded: 'host=evil.example', 'x-http-method-override': 'DELETE', 'x-forwarded-proto': 'https' };
    expect(fillHeaders(rewriting, route([]), peer)).toEqual(own);
    expect(fillHeaders(rewriting, route([], [], undefined, ['x-forwarded-host', 'x-forwarded-proto']), peer)).toEqual({ ...own, 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' });
  });
});

describe('the gateway\'s forwarding fields', () => {
  const incoming = { 'x-forwarded-for': '203.0.113.1, 198.51.100.2', via: '1.0 edge' };

  it.each([
    ['a fill, nothing listed: the peer alone, and this hop alone', 'fill', [], { 'x-forwarded-for': '192.0.2.7', 'x-forwarded-proto': 'http', via: '1.1 cairn' }],
    ['a fill listing x-forwarded-for and via: the chain, then the peer; this hop appended', 'fill', ['x-forwarded-for', 'via'], { 'x-forwarded-for': '203.0.113.1, 198.51.100.2, 192.0.2.7', 'x-forwarded-proto': 'http', via: '1.0 edge, 1.1 cairn' }],
    ['a pass: the client\'s chain dropped unless listed; Via always appended to (RFC 9110 §7.6.3)', 'pass', [], { 'x-forwarded-for': '192.0.2.7', 'x-forwarded-proto': 'http', via: '1.0 edge, 1.1 cairn' }],
    ['a pass listing x-forwarded-for: nginx\'s $proxy_add_x_forwarded_for', 'pass', ['x-forwarded-for'], { 'x-forwarded-for': '203.0.113.1, 198.51.100.2, 192.0.2.7', 'x-forwarded-proto': 'http', via: '1.0 edge, 1.1 cairn' }],
  ] as const)('%s', (_name, mode, listed, expected) => {
    const r = route([], [], undefined, [...listed]);
    const out = mode === 'fill' ? fillHeaders(incoming, r, peer) : passHeaders(incoming, r, peer);
    expect({ 'x-forwarded-for': out['x-forwarded-for'], 'x-forwarded-proto': out['x-forwarded-proto'], via: out.via }).toEqual(expected);
  });

  it('names the protocol the client spoke in Via, and leaves out an unknown peer', () => {
    expect(fillHeaders({}, route([]), { address: '', httpVersion: '1.0' })).toEqual({ 'x-forwarded-proto': 'http', via: '1.0 cairn' });
  });
});

describe('passHeaders', () => {
  it('sends the client headers minus hop-by-hop, host, authorization and unlisted rewriting headers', () => {
    expect(passHeaders(client, route([]), peer)).toEqual({
      'x-device': 'mobile',
      'accept-encoding': 'gzip',
      'if-none-match': '"v1"',
      cookie: 'session=abc; lang=de; theme=dark',
      ...own,
    });
  });

  it('sends a rewriting header the route lists (#10)', () => {
    expect(passHeaders({ 'x-forwarded-host': 'shop.example' }, route([], [], undefined, ['x-forwarded-host']), peer)).toEqual({ 'x-forwarded-host': 'shop.example', ...own });
  });
});
