import { describe, expect, it } from 'vitest';
import { notModified } from './conditional.js';

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
    [{ 'if-none-match': '"v2"', 'if-modified-since': 'Mon, 23 Nov 2026 11:00:00 GMT' }, false],
  ])('%j → 304: %s', (headers, expected) => {
    expect(notModified(headers, validators)).toBe(expected);
  });
});
