import { describe, expect, it } from 'vitest';
import { normalizedFieldValue, variantId, varyNames } from './vary.js';

// RFC 9110 §12.5.5: Vary is a list of field names (case-insensitive) or `*`.
describe('varyNames', () => {
  it.each([
    ['absent', undefined, { star: false, names: [] }],
    ['one name, lowercased', 'User-Agent', { star: false, names: ['user-agent'] }],
    ['a list, sorted, repeats dropped', 'X-Device, user-agent, x-device', { star: false, names: ['user-agent', 'x-device'] }],
    ['field lines combined (RFC 9110 §5.3)', ['accept', 'Accept-Language'], { star: false, names: ['accept', 'accept-language'] }],
    ['empty members ignored', ' , accept ,', { star: false, names: ['accept'] }],
    ['a star anywhere', 'accept, *', { star: true, names: ['accept'] }],
  ])('%s', (_name, vary, expected) => {
    expect(varyNames(vary as string | string[] | undefined)).toEqual(expected);
  });
});

// RFC 9111 §4.1: values match after normalization (whitespace, field lines, case where the field is case-insensitive).
describe('normalizedFieldValue', () => {
  it.each([
    ['absent stays absent', 'user-agent', undefined, undefined],
    ['surrounding whitespace trimmed', 'user-agent', '  curl/8 ', 'curl/8'],
    ['whitespace around commas removed', 'accept', 'text/html ,  application/json', 'text/html,application/json'],
    ['runs of whitespace collapsed', 'user-agent', 'a \t  b', 'a b'],
    ['field lines combined', 'accept-language', ['en', 'fr'], 'en,fr'],
    ['accept-language compares case-insensitively', 'accept-language', 'EN-us', 'en-us'],
    ['other fields keep their case', 'x-device', 'Mobile', 'Mobile'],
  ])('%s', (_name, field, value, expected) => {
    expect(normalizedFieldValue(field, value as string | string[] | undefined)).toBe(expected);
  });
});

describe('variantId', () => {
  it('is the same for requests whose values normalize alike', () => {
    expect(variantId(['accept-language'], { 'accept-language': 'EN, fr' })).toBe(variantId(['accept-language'], { 'accept-language': ['en', 'FR'] }));
  });

  it('differs between an absent field and an empty one', () => {
    expect(variantId(['x-device'], {})).not.toBe(variantId(['x-device'], { 'x-device': '' }));
  });

  it('differs when any named field differs', () => {
    const names = ['user-agent', 'x-device'];
    expect(variantId(names, { 'user-agent': 'a', 'x-device': 'b' })).not.toBe(variantId(names, { 'user-agent': 'a', 'x-device': 'c' }));
  });

  it('cannot be imitated by moving text between fields', () => {
    const names = ['a', 'b'];
    expect(variantId(names, { a: 'x\nb=y' })).not.toBe(variantId(names, { a: 'x', b: 'y' }));
  });
});
