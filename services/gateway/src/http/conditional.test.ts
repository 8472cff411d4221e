import { describe, expect, it } from 'vitest';
import { notModified, selectsStored } from './conditional.js';

const validators = { etag: '"v1"', lastModified: 'Mon, 23 Nov 2026 10:00:00 GMT' };

describe('notModified', () => {
  it.each([
    [{}, false],
    [{ 'if-none-match': '"v1"' }, true],
    [{ 'if-none-match': 'W/"v1"' }, true],
    [{ 'if-none-match': '"v0", "v1"' }, true],
    [{ 'if-none-match': '"v2"' }, false],
    [{ 'if-none-match': '*' }, true],
    [{ 'if-modified-since': 'Mon, 23 Nov 2026 10:00:00 GMT' }, true],
    [{ 'if-modified-since': 'Mon, 23 Nov 2026 11:00:00 GMT' }, true],
    [{ 'if-modified-since': 'Mon, 23 Nov 2026 09:59:59 GMT' }, false],
    [{ 'if-modified-since': 'not a date' }, false],
    // RFC 9110 §13.1.3: only an HTTP-date (§5.6.7) counts; what Date.parse also takes is ignored.
    [{ 'if-modified-since': '2026-11-24T00:00:00Z' }, false],
    [{ 'if-modified-since': 'Monday, 23-Nov-26 11:00:00 GMT' }, true],
    [{ 'if-none-match': '"v2"', 'if-modified-since': 'Mon, 23 Nov 2026 11:00:00 GMT' }, false],
  ])('%j → 304: %s', (headers, expected) => {
    expect(notModified(headers, validators)).toBe(expected);
  });
});

describe('selectsStored (RFC 9111 §4.3.4)', () => {
  const lastModified = 'Mon, 23 Nov 2026 10:00:00 GMT';
  it.each([
    ['a 304 without validators', { originEtag: '"v1"', originLastModified: lastModified }, {}, true],
    ['the stored entity tag', { originEtag: '"v1"', originLastModified: undefined }, { etag: '"v1"' }, true],
    ['the stored tag, weakened', { originEtag: '"v1"', originLastModified: undefined }, { etag: 'W/"v1"' }, true],
    ['another entity tag', { originEtag: '"v1"', originLastModified: undefined }, { etag: '"v2"' }, false],
    ['an entity tag the stored response lacked', { originEtag: undefined, originLastModified: lastModified }, { etag: '"v1"' }, false],
    ['the stored Last-Modified', { originEtag: undefined, originLastModified: lastModified }, { 'last-modified': lastModified }, true],
    ['another Last-Modified', { originEtag: undefined, originLastModified: lastModified }, { 'last-modified': 'Tue, 24 Nov 2026 10:00:00 GMT' }, false],
    ['the stored Last-Modified in another HTTP-date form', { originEtag: undefined, originLastModified: lastModified }, { 'last-modified': 'Mon Nov 23 10:00:00 2026' }, true],
    ['a Last-Modified the stored response lacked', { originEtag: '"v1"', originLastModified: undefined }, { etag: '"v1"', 'last-modified': lastModified }, true],
  ])('%s → selected: %s', (_name, stored, headers, expected) => {
    expect(selectsStored(stored, headers)).toBe(expected);
  });
});
