import { describe, expect, it } from 'vitest';
import type { Route } from '../context.js';
import { invalidatesOnSuccess, sameHostTarget } from './unsafe-invalidation.js';

const route = { keyConfig: { includeHeaders: [], includeQueryParams: ['page'], includeCookies: [] } } as unknown as Route;

describe('invalidatesOnSuccess (RFC 9111 §4.4)', () => {
  it.each([
    ['GET', false], ['HEAD', false], ['OPTIONS', false], ['TRACE', false], ['QUERY', false],
    ['PROPFIND', false], ['REPORT', false], ['SEARCH', false],
    ['POST', true], ['PUT', true], ['PATCH', true], ['DELETE', true],
    ['PROPPATCH', true], ['MKCOL', true], ['LOCK', true], ['MOVE', true], ['PURGE', true], ['M-SEARCH', true], ['LINK', true],
  ] as const)('%s invalidates the target on success: %s (#10)', (method, unsafe) => {
    expect(invalidatesOnSuccess(method)).toBe(unsafe);
  });
});

describe('sameHostTarget (RFC 9111 §4.4: same host only)', () => {
  it.each([
    ['an absolute path', '/Items/1/', { path: '/items/1', queryKey: '/items/1' }],
    ['a relative reference', '2', { path: '/items/2', queryKey: '/items/2' }],
    ['an absolute URI on the same host, another port', 'https://shop.example:8443/items/3?page=2&utm=x', { path: '/items/3', queryKey: '/items/3?page=2' }],
    ['another host', 'http://other.example/items/4', undefined],
    ['a network-path reference to another host', '//other.example/items/5', undefined],
    ['no URI at all', 'http://[::1', undefined],
  ] as const)('%s', (_name, value, expected) => {
    expect(sameHostTarget(value, '/items/new', 'shop.example', route)).toEqual(expected);
  });

  it('takes only host-less references without a Host header', () => {
    expect(sameHostTarget('/a', '/x', undefined, route)).toEqual({ path: '/a', queryKey: '/a' });
    expect(sameHostTarget('http://shop.example/a', '/x', undefined, route)).toBeUndefined();
  });
});
