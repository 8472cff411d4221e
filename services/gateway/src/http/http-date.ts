/**
 * HTTP-date (RFC 9110 §5.6.7): recipients accept exactly three forms, IMF-fixdate
 * (`Sun, 06 Nov 1994 08:49:37 GMT`), the obsolete RFC 850 form (`Sunday, 06-Nov-94
 * 08:49:37 GMT`) and asctime (`Sun Nov  6 08:49:37 1994`), all case-sensitive and in GMT.
 * Nothing else is a date, unlike Date.parse, which takes `0`, `2026-01-01` and more.
 */

const DAY = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)';
const DAY_LONG = '(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)';
const MONTH = '(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)';
const TIME = '(\\d{2}):(\\d{2}):(\\d{2})';
const RFC850_DATE = new RegExp(`^${DAY_LONG}, (\\d{2})-${MONTH}-(\\d{2}) ${TIME} GMT$`);
const ASCTIME_DATE = new RegExp(`^${DAY} ${MONTH} ([ \\d]\\d) ${TIME} (\\d{4})$`);

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const SHORT_DAYS = new Set(['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun']);

function daysIn(month: number, year: number): number {
  if (month === 1) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return DAYS_IN_MONTH[month] as number;
}

function toMs(year: number, monthName: string, day: number, hour: number, minute: number, second: number): number | undefined {
  const month = MONTHS.indexOf(monthName);
  if (month === -1) return undefined;
  // §5.6.7: second may be 60 (a leap second); the day must exist in its month.
  if (day < 1 || day > daysIn(month, year) || hour > 23 || minute > 59 || second > 60) return undefined;
  return Date.UTC(year, month, day, hour, minute, Math.min(second, 59));
}

/**
 * §5.6.7: a two-digit year that appears to be more than 50 years in the future is the
 * most recent past year with the same last two digits.
 */
function rfc850Year(twoDigits: number, now: number): number {
  const current = new Date(now).getUTCFullYear();
  let year = current - (current % 100) + twoDigits;
  if (year > current + 50) year -= 100;
  return year;
}

/** Two ASCII digits at `at` as a number, or NaN. */
function twoDigits(text: string, at: number): number {
  const tens = text.charCodeAt(at) - 48;
  const ones = text.charCodeAt(at + 1) - 48;
  return tens >= 0 && tens <= 9 && ones >= 0 && ones <= 9 ? tens * 10 + ones : NaN;
}

/**
 * IMF-fixdate, the form every current sender uses, read by position
 * (`Sun, 06 Nov 1994 08:49:37 GMT`): this runs for Date, Expires and Last-Modified of
 * every stored response.
 */
function imfFixdate(text: string): number | undefined {
  if (text.length !== 29 || text[3] !== ',' || text[4] !== ' ' || text[7] !== ' ' || text[11] !== ' ' || text[16] !== ' ') return undefined;
  if (text[19] !== ':' || text[22] !== ':' || !text.endsWith(' GMT') || !SHORT_DAYS.has(text.slice(0, 3))) return undefined;
  const year = twoDigits(text, 12) * 100 + twoDigits(text, 14);
  const fields = [twoDigits(text, 5), twoDigits(text, 17), twoDigits(text, 20), twoDigits(text, 23)] as const;
  if (Number.isNaN(year) || fields.some(Number.isNaN)) return undefined;
  return toMs(year, text.slice(8, 11), fields[0], fields[1], fields[2], fields[3]);
}

/** Milliseconds since the epoch, or undefined when the text is not an HTTP-date. */
export function parseHttpDate(text: string | undefined, now: number = Date.now()): number | undefined {
  if (text === undefined) return undefined;
  if (text.length === 29) return imfFixdate(text);
  let m = RFC850_DATE.exec(text);
  if (m !== null) return toMs(rfc850Year(Number(m[3]), now), m[2]!, Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6]));
  m = ASCTIME_DATE.exec(text);
  if (m !== null) return toMs(Number(m[6]), m[1]!, Number(m[2]!.trim()), Number(m[3]), Number(m[4]), Number(m[5]));
  return undefined;
}
