import { describe, expect, it } from 'vitest';
import { dropConnectionListed } from './hop-by-hop.js';

// RFC 9110 §7.6.1: fields a request's Connection names are for this hop only.
describe('dropConnectionListed', () => {
  it.each([
    ['the fields Connection names go', { connection: 'close, X-Tenant', 'x-tenant': 'a', accept: '*/*' }, { connection: 'close, X-Tenant', accept: '*/*' }],
    ['repeated Connection lines all count', { connection: ['keep-alive', 'x-a'], 'x-a': '1', 'x-b': '2' }, { connection: ['keep-alive', 'x-a'], 'x-b': '2' }],
    ['keep-alive alone names nothing', { connection: 'Keep-Alive', 'x-a': '1' }, { connection: 'Keep-Alive', 'x-a': '1' }],
    ['no Connection field changes nothing', { 'x-a': '1' }, { 'x-a': '1' }],
  ])('%s', (_name, headers, expected) => {
    dropConnectionListed(headers as Record<string, string | string[] | undefined>);
    expect(headers).toEqual(expected);
  });
});
