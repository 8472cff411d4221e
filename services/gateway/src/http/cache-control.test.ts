import { describe, expect, it } from 'vitest';
import { parseCacheControl } from './cache-control.js';

describe('parseCacheControl', () => {
  it('reads names case-insensitively, unquotes values and keeps the first of a repeated directive', () => {
    expect([...parseCacheControl('Max-Age=60, no-cache="set-cookie", max-age=5, private')]).toEqual([
      ['max-age', '60'],
      ['no-cache', 'set-cookie'],
      ['private', ''],
    ]);
  });

  // RFC 9111 §5.2 (syntax: token [ "=" ( token / quoted-string ) ], names case-insensitive),
  // §4.2.1 (the first of a repeated directive), RFC 9110 §5.3 (field lines combined), §5.6.4 (quoted-string).
  it.each([
    ['upper-case names (#10)', 'MAX-AGE=600', [['max-age', '600']]],
    ['mixed-case names (#10)', 'No-CaChE', [['no-cache', '']]],
    ['a quoted value', 'max-age="600"', [['max-age', '600']]],
    ['a comma inside a quoted value', 'no-cache="set-cookie, x-user", max-age=5', [['no-cache', 'set-cookie, x-user'], ['max-age', '5']]],
    ['a backslash escape in a quoted value', 'ext="a\\"b"', [['ext', 'a"b']]],
    ['the first of a repeated directive', 'max-age=60, max-age=5', [['max-age', '60']]],
    ['repeated field lines, combined (#10)', ['max-age=60', 'public', 'max-age=5'], [['max-age', '60'], ['public', '']]],
    ['whitespace around names, values and "="', '  public ,max-age = 10 ', [['public', ''], ['max-age', '10']]],
    ['empty members', ', ,max-age=1,,', [['max-age', '1']]],
    ['an invalid value as it is', 'max-age=1.5', [['max-age', '1.5']]],
    ['an absent field', undefined, []],
  ])('keeps %s', (_name, field, expected) => {
    expect([...parseCacheControl(field as string | string[] | undefined)]).toEqual(expected);
  });
});
