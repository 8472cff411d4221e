import { describe, expect, it } from 'vitest';
import { parseSfDictionary } from './sf-dictionary.js';

// RFC 8941 §4.2.2 (Dictionary), §3.3 (items): the syntax of targeted fields (RFC 9213 §2.1).
describe('parseSfDictionary (RFC 8941 §4.2.2)', () => {
  it.each([
    ['max-age=60', { 'max-age': { type: 'integer', value: 60 } }],
    ['no-store', { 'no-store': { type: 'boolean', value: true } }],
    ['max-age=60, must-revalidate', { 'max-age': { type: 'integer', value: 60 }, 'must-revalidate': { type: 'boolean', value: true } }],
    ['no-cache="set-cookie"', { 'no-cache': { type: 'string', value: 'set-cookie' } }],
    ['max-age=1.5', { 'max-age': { type: 'decimal', value: 1.5 } }],
    ['max-age=-1', { 'max-age': { type: 'integer', value: -1 } }],
    ['x=tok/en, y=?0', { x: { type: 'token', value: 'tok/en' }, y: { type: 'boolean', value: false } }],
    ['max-age=60, max-age=5', { 'max-age': { type: 'integer', value: 5 } }],
    ['max-age=60;p=1, private;q', { 'max-age': { type: 'integer', value: 60 }, private: { type: 'boolean', value: true } }],
    ['a=(1 2), b=:aGk=:', { a: { type: 'inner-list' }, b: { type: 'bytes', value: 'aGk=' } }],
    ['  none  ', { none: { type: 'boolean', value: true } }],
  ])('%j', (text, expected) => {
    expect(Object.fromEntries(parseSfDictionary(text) ?? [])).toEqual(expected);
  });

  it.each([['MAX-AGE=60'], ['max-age=60,'], ['max-age='], ['max-age=1.'], ['max-age=1.2345'], ['max-age=1234567890123456'], ['max-age="open'], ['a b'], ['=1'], ['a=?2']])(
    'rejects %j',
    (text) => {
      expect(parseSfDictionary(text)).toBeUndefined();
    },
  );
});
