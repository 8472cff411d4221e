import { describe, expect, it } from 'vitest';
import type { Route } from '../context.js';
import { fillHeaders, passHeaders } from './forward-headers.js';

const route = (includeHeaders: string[], includeCookies: string[] = [], originAuth?: [string, string]) =>
  ({ keyConfig: { includeHeaders, includeQueryParams: [], includeCookies }, originAuth }) as unknown as Route;

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
    expect(fillHeaders(client, route(['x-device'], ['lang'], ['x-origin-token', 't0k']))).toEqual({
      'x-device': 'mobile',
      cookie: 'lang=de',
      'x-origin-token': 't0k',
    });
  });

  it('sends the first value of a repeated keyed cookie name, as the key has it (#9)', () => {
    expect(fillHeaders({ cookie: 'lang=en; theme=dark; lang=de', 'x-device': ' mobile ' }, route(['x-device'], ['lang', 'theme']))).toEqual({
      'x-device': 'mobile',
      cookie: 'lang=en; theme=dark',
    });
  });

  it('matches a keyed cookie name with whitespace around it, as the key does (#9)', () => {
    expect(fillHeaders({ cookie: 'session=s;  lang = de' }, route([], ['lang']))).toEqual({ cookie: 'lang=de' });
  });

  it('sends a repeated keyed header as one combined field value (#9)', () => {
    expect(fillHeaders({ 'x-device': ['mobile', 'tablet'] }, route(['x-device']))).toEqual({ 'x-device': 'mobile, tablet' });
  });

  it('never sends authorization or a conditional header even when an admin keys them', () => {
    expect(fillHeaders(client, route(['authorization', 'if-none-match', 'host']))).toEqual({});
  });
});

describe('passHeaders', () => {
  it('sends the client headers minus hop-by-hop, host and authorization', () => {
    expect(passHeaders(client, route([]))).toEqual({
      'x-device': 'mobile',
      'x-forwarded-host': 'evil.example',
      'accept-encoding': 'gzip',
      'if-none-match': '"v1"',
      cookie: 'session=abc; lang=de; theme=dark',
    });
  });
});
