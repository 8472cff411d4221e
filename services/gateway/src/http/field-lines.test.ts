import { describe, expect, it } from 'vitest';
import { combinedField } from './field-lines.js';

// RFC 9110 §5.3: field lines with the same name combine, in order, separated by commas.
describe('combinedField', () => {
  it.each([
    ['an absent field stays absent', undefined, undefined],
    ['a single line is its own value', 'max-age=60', 'max-age=60'],
    ['repeated lines join in order with a comma', ['max-age=60', 'public'], 'max-age=60, public'],
    ['an empty list is an absent field', [], undefined],
    ['an empty line keeps its place', ['a', '', 'b'], 'a, , b'],
  ])('%s', (_name, value, expected) => {
    expect(combinedField(value as string | string[] | undefined)).toBe(expected);
  });
});
