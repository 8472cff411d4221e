import { describe, expect, it } from 'vitest';
import { parseHttpDate } from './http-date.js';

const NOV_6_1994 = Date.UTC(1994, 10, 6, 8, 49, 37);
const NOW = Date.UTC(2026, 11, 1, 12, 0, 0);

// RFC 9110 §5.6.7: IMF-fixdate, and the obsolete rfc850-date and asctime-date, which
// recipients also accept; names and GMT are case-sensitive; nothing else is an HTTP-date.
describe('parseHttpDate (RFC 9110 §5.6.7)', () => {
  it.each([
    ['IMF-fixdate', 'Sun, 06 Nov 1994 08:49:37 GMT', NOV_6_1994],
    ['rfc850-date', 'Sunday, 06-Nov-94 08:49:37 GMT', NOV_6_1994],
    ['asctime-date, one-digit day', 'Sun Nov  6 08:49:37 1994', NOV_6_1994],
    ['asctime-date, two-digit day', 'Thu Nov 26 08:49:37 2026', Date.UTC(2026, 10, 26, 8, 49, 37)],
    ['a leap day', 'Thu, 29 Feb 2024 00:00:00 GMT', Date.UTC(2024, 1, 29)],
    ['a leap second', 'Wed, 31 Dec 2025 23:59:60 GMT', Date.UTC(2025, 11, 31, 23, 59, 59)],
    ['rfc850 two-digit year in the near future', 'Friday, 01-Jan-38 00:00:00 GMT', Date.UTC(2038, 0, 1)],
    ['rfc850 two-digit year over 50 years ahead is in the past', 'Friday, 01-Jan-99 00:00:00 GMT', Date.UTC(1999, 0, 1)],
    ['a weekday that does not match the date (the grammar does not check it)', 'Mon, 06 Nov 1994 08:49:37 GMT', NOV_6_1994],
  ])('accepts %s', (_name, text, ms) => {
    expect(parseHttpDate(text, NOW)).toBe(ms);
  });

  it.each([
    ['0', '0'],
    ['-1', '-1'],
    ['garbage', 'soon'],
    ['an empty value', ''],
    ['ISO 8601', '1994-11-06T08:49:37Z'],
    ['a time zone other than GMT', 'Sun, 06 Nov 1994 08:49:37 UTC'],
    ['a numeric offset', 'Sun, 06 Nov 1994 08:49:37 +0000'],
    ['a lower-case month', 'Sun, 06 nov 1994 08:49:37 GMT'],
    ['a lower-case GMT', 'Sun, 06 Nov 1994 08:49:37 gmt'],
    ['a one-digit day in IMF-fixdate', 'Sun, 6 Nov 1994 08:49:37 GMT'],
    ['a two-digit year in IMF-fixdate', 'Sun, 06 Nov 94 08:49:37 GMT'],
    ['a day the month lacks', 'Sat, 31 Nov 2026 00:00:00 GMT'],
    ['29 February of a common year', 'Sat, 29 Feb 2025 00:00:00 GMT'],
    ['hour 24', 'Sun, 06 Nov 1994 24:00:00 GMT'],
    ['minute 60', 'Sun, 06 Nov 1994 08:60:00 GMT'],
    ['a full day name in IMF-fixdate', 'Sunday, 06 Nov 1994 08:49:37 GMT'],
    ['no weekday', '06 Nov 1994 08:49:37 GMT'],
    ['extra text', 'Sun, 06 Nov 1994 08:49:37 GMT, Mon, 07 Nov 1994 08:49:37 GMT'],
    ['surrounding whitespace', ' Sun, 06 Nov 1994 08:49:37 GMT'],
    ['a Date.parse-only form', 'Nov 6 1994'],
  ])('rejects %s', (_name, text) => {
    expect(parseHttpDate(text, NOW)).toBeUndefined();
  });
});
