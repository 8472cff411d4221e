import { describe, expect, it } from 'vitest';
import { contentRange, ifRangeMatches, parseRangeSet, selectRange, unsatisfiedRange, type RangeSelection, type RangeValidators } from './range.js';

const LAST_MODIFIED = 'Mon, 23 Nov 2026 10:00:00 GMT';
/** Two minutes after Last-Modified: that Last-Modified is a strong validator (§8.8.2.2). */
const validators: RangeValidators = { etag: '"v1"', lastModified: LAST_MODIFIED, date: 'Mon, 23 Nov 2026 10:02:00 GMT' };
const partial = (start: number, end: number): RangeSelection => ({ kind: 'partial', range: { start, end } });
const IGNORED: RangeSelection = { kind: 'ignored' };
const UNSATISFIABLE: RangeSelection = { kind: 'unsatisfiable' };

describe('parseRangeSet (RFC 9110 §14.1.2)', () => {
  it.each([
    ['bytes=0-499', [{ first: 0, last: 499 }]],
    ['bytes=500-', [{ first: 500, last: undefined }]],
    ['bytes=-500', [{ first: undefined, last: 500 }]],
    // §14.1: the range unit is case-insensitive; §5.6.1: list elements take OWS and may be empty.
    ['Bytes=0-0, -1', [{ first: 0, last: 0 }, { first: undefined, last: 1 }]],
    ['bytes=0-1,,4-5', [{ first: 0, last: 1 }, { first: 4, last: 5 }]],
    ['bytes=5-5', [{ first: 5, last: 5 }]],
  ])('%j → %j', (header, expected) => {
    expect(parseRangeSet(header)).toEqual(expected);
  });

  it.each([
    'bytes=',
    'bytes=-',
    'bytes=abc',
    'bytes=1-a',
    'bytes=+1-2',
    'bytes=0x1-2',
    'bytes=1.5-2',
    // §14.1.1: last-pos below first-pos makes the int-range invalid.
    'bytes=5-4',
    'bytes=0-1,5-4',
    'items=0-1',
    'bytes 0-1',
    '0-1',
    'bytes=0-1, bytes=3-4',
  ])('%j is invalid', (header) => {
    expect(parseRangeSet(header)).toBeUndefined();
  });
});

describe('selectRange (RFC 9110 §14.1.1, §14.2, §15.5.17)', () => {
  it.each<[string, number, RangeSelection]>([
    ['bytes=0-99', 1000, partial(0, 99)],
    ['bytes=100-199', 1000, partial(100, 199)],
    ['bytes=999-999', 1000, partial(999, 999)],
    // open range: to the end; last-pos past the end is clamped to it.
    ['bytes=900-', 1000, partial(900, 999)],
    ['bytes=900-5000', 1000, partial(900, 999)],
    // suffix: the last N bytes, the whole body when N exceeds it.
    ['bytes=-100', 1000, partial(900, 999)],
    ['bytes=-5000', 1000, partial(0, 999)],
    // first-byte-pos at or past the length: unsatisfiable (416).
    ['bytes=1000-', 1000, UNSATISFIABLE],
    ['bytes=5000-', 1000, UNSATISFIABLE],
    ['bytes=-0', 1000, UNSATISFIABLE],
    ['bytes=5000-6000, 7000-', 1000, UNSATISFIABLE],
    // several ranges: the satisfiable ones, coalesced; one left is a 206, more are the whole 200.
    ['bytes=0-9, 5000-', 1000, partial(0, 9)],
    ['bytes=0-9, 5-19', 1000, partial(0, 19)],
    ['bytes=0-9, 10-19', 1000, partial(0, 19)],
    ['bytes=0-9, 20-29', 1000, IGNORED],
    ['bytes=0-0, -1', 1000, IGNORED],
    // §14.2: an invalid Range is ignored.
    ['bytes=5-4', 1000, IGNORED],
    ['pages=1-2', 1000, IGNORED],
    // a zero-length body has no byte to select: answered whole.
    ['bytes=0-', 0, IGNORED],
    ['bytes=-1', 0, IGNORED],
  ])('%j on %i bytes → %j', (range, length, expected) => {
    expect(selectRange(range, undefined, length, validators)).toEqual(expected);
  });
});

describe('ifRangeMatches (RFC 9110 §13.1.5, §8.8.2.2, §8.8.3.2)', () => {
  it.each<[string, RangeValidators, boolean]>([
    ['"v1"', validators, true],
    [' "v1" ', validators, true],
    ['"v2"', validators, false],
    // strong comparison: a weak tag on either side never matches.
    ['W/"v1"', validators, false],
    ['"v1"', { ...validators, etag: 'W/"v1"' }, false],
    ['"v1"', { ...validators, etag: undefined }, false],
    // an HTTP-date matches only the exact, strong Last-Modified.
    [LAST_MODIFIED, validators, true],
    ['Mon, 23 Nov 2026 10:00:01 GMT', validators, false],
    ['Monday, 23-Nov-26 10:00:00 GMT', validators, false],
    [LAST_MODIFIED, { ...validators, date: 'Mon, 23 Nov 2026 10:00:59 GMT' }, false],
    [LAST_MODIFIED, { ...validators, date: 'Mon, 23 Nov 2026 10:01:00 GMT' }, true],
    [LAST_MODIFIED, { ...validators, date: undefined }, false],
    [LAST_MODIFIED, { ...validators, lastModified: undefined }, false],
    ['not a date', validators, false],
  ])('If-Range %j with %j → %s', (ifRange, stored, expected) => {
    expect(ifRangeMatches(ifRange, stored)).toBe(expected);
  });

  it.each<[string, RangeSelection]>([
    ['"v1"', partial(0, 9)],
    ['"v2"', IGNORED],
    [LAST_MODIFIED, partial(0, 9)],
    ['Tue, 24 Nov 2026 10:00:00 GMT', IGNORED],
  ])('a Range with If-Range %j → %j', (ifRange, expected) => {
    expect(selectRange('bytes=0-9', ifRange, 1000, validators)).toEqual(expected);
  });

  it('answers a failed If-Range whole even when the range is unsatisfiable', () => {
    expect(selectRange('bytes=5000-', '"v2"', 1000, validators)).toEqual(IGNORED);
    expect(selectRange('bytes=5000-', '"v1"', 1000, validators)).toEqual(UNSATISFIABLE);
  });
});

describe('Content-Range (RFC 9110 §14.4)', () => {
  it('names the range and the complete length, or only the length when unsatisfied', () => {
    expect(contentRange({ start: 0, end: 99 }, 1000)).toBe('bytes 0-99/1000');
    expect(unsatisfiedRange(1000)).toBe('bytes */1000');
  });
});
