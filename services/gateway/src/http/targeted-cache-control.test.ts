import { describe, expect, it } from 'vitest';
import { storedFields, updatedFields } from './stored-fields.js';
import { governingTargetedField, isWithheldField, withheldTargetedFields, withheldTargetedNames } from './targeted-cache-control.js';

// RFC 9213 §2.2: the target list is Cairn-Cache-Control, then CDN-Cache-Control; the first
// present, valid (RFC 8941 Dictionary) and non-empty one is used.
describe('governingTargetedField (RFC 9213 §2.1, §2.2)', () => {
  it.each([
    [{}, undefined],
    [{ 'cache-control': 'max-age=60' }, undefined],
    [{ 'cdn-cache-control': 'max-age=60' }, 'cdn-cache-control'],
    [{ 'cdn-cache-control': 'max-age=60', 'cairn-cache-control': 'no-store' }, 'cairn-cache-control'],
    [{ 'cdn-cache-control': 'max-age=60', 'cairn-cache-control': 'no-store,' }, 'cdn-cache-control'],
    [{ 'cdn-cache-control': 'none' }, 'cdn-cache-control'],
    [{ 'cdn-cache-control': '   ' }, undefined],
    [{ 'cdn-cache-control': 'Max-Age=60' }, undefined],
  ])('%j → %s', (fields, field) => {
    expect(governingTargetedField(fields)?.field).toBe(field);
  });
});

describe('withheld targeted fields', () => {
  it.each([
    ['cairn-cache-control', true, true],
    ['cairn-cache-control', false, true],
    ['cdn-cache-control', true, false],
    ['cdn-cache-control', false, true],
    ['cache-control', false, false],
  ])('%s (forwarding CDN-Cache-Control: %s) is withheld: %s', (name, forward, withheld) => {
    expect(isWithheldField(name, forward)).toBe(withheld);
  });

  it('names the targeted fields withheld from clients: CDN-Cache-Control only unless forwarded', () => {
    expect(withheldTargetedNames(false)).toEqual(['cairn-cache-control', 'cdn-cache-control']);
    expect(withheldTargetedNames(true)).toEqual(['cairn-cache-control']);
  });

  it('keeps the values withheld from clients for later decisions, and nothing in the common case', () => {
    const fields = { 'cairn-cache-control': 'max-age=5', 'cdn-cache-control': ['max-age=60', 'private'], 'cache-control': 'no-store' };
    expect(withheldTargetedFields(fields, true)).toEqual({ 'cairn-cache-control': 'max-age=5' });
    expect(withheldTargetedFields(fields, false)).toEqual({ 'cairn-cache-control': 'max-age=5', 'cdn-cache-control': 'max-age=60, private' });
    expect(withheldTargetedFields({ 'cache-control': 'max-age=1' }, false)).toBeUndefined();
  });

  it('never stores Cairn-Cache-Control, nor takes it from a 304 (#10)', () => {
    expect(storedFields({ 'cairn-cache-control': 'max-age=60', 'cdn-cache-control': 'max-age=60' }, false)).toEqual({ 'cdn-cache-control': 'max-age=60' });
    expect(updatedFields({ etag: '"v1"' }, { 'cairn-cache-control': 'no-store' }, false)).toEqual({ etag: '"v1"' });
  });
});
