import type { TtlPolicy } from '@cairn/shared';
import { describe, expect, it } from 'vitest';
import { freshnessLifetimeMs, storedFreshnessMs } from './freshness.js';
import { responseDirectives } from './response-directives.js';

const T = Date.UTC(2026, 11, 1, 12, 0, 0);
const httpDate = (ms: number) => new Date(ms).toUTCString();
const DAY = 86_400_000;

const response = (fields: Record<string, string | string[]>, status = 200) => ({ status, fields, directives: responseDirectives(fields), responseTime: T });
const lifetime = (fields: Record<string, string | string[]>, status = 200) => freshnessLifetimeMs(response(fields, status));

// RFC 9111 §4.2.1 (shared cache: s-maxage, then max-age, then Expires − Date, then heuristic),
// §1.2.2 / §4.2.1 (invalid delta-seconds → stale), §5.3 (invalid Expires → already expired).
describe('freshnessLifetimeMs (RFC 9111 §4.2.1, §5.3)', () => {
  it.each([
    ['max-age', { 'cache-control': 'max-age=60' }, 60_000],
    ['s-maxage over max-age', { 'cache-control': 'max-age=60, s-maxage=120' }, 120_000],
    ['upper-case MAX-AGE (#10)', { 'cache-control': 'MAX-AGE=600' }, 600_000],
    ['a quoted max-age', { 'cache-control': 'max-age="30"' }, 30_000],
    ['the first of two max-age', { 'cache-control': 'max-age=60, max-age=5' }, 60_000],
    ['repeated Cache-Control lines (#10)', { 'cache-control': ['public', 'max-age=60'] }, 60_000],
    ['max-age=1.5 is stale', { 'cache-control': 'max-age=1.5' }, 0],
    ['max-age=-1 is stale', { 'cache-control': 'max-age=-1' }, 0],
    ['max-age=abc is stale', { 'cache-control': 'max-age=abc' }, 0],
    ['an invalid s-maxage is stale despite max-age', { 'cache-control': 's-maxage=x, max-age=60' }, 0],
    ['a huge max-age clamps to 2^31 s', { 'cache-control': 'max-age=99999999999' }, 2_147_483_648_000],
    ['no-cache', { 'cache-control': 'max-age=60, no-cache' }, 0],
    ['mixed-case No-CaChE (#10)', { 'cache-control': 'max-age=60, No-CaChE' }, 0],
    ['qualified no-cache', { 'cache-control': 'max-age=60, no-cache="set-cookie"' }, 0],
    ['stale-if-error is no freshness (#10)', { 'cache-control': 'max-age=1, stale-if-error=86400' }, 1000],
    ['stale-while-revalidate is no freshness (#10)', { 'cache-control': 'max-age=1, stale-while-revalidate=60' }, 1000],
    ['Expires − Date', { date: httpDate(T), expires: httpDate(T + 3_600_000) }, 3_600_000],
    ['Expires − response time without Date', { expires: httpDate(T + 60_000) }, 60_000],
    ['Expires in RFC 850 form', { date: httpDate(T), expires: 'Tuesday, 01-Dec-26 13:00:00 GMT' }, 3_600_000],
    ['Expires in the past', { date: httpDate(T), expires: httpDate(T - 1000) }, 0],
    ['Expires: 0 is already expired (#10)', { expires: '0' }, 0],
    ['Expires: -1 is already expired (#10)', { expires: '-1' }, 0],
    ['a garbage Expires is already expired (#10)', { expires: 'tomorrow', 'last-modified': httpDate(T - DAY) }, 0],
    ['a Date.parse-only Expires is already expired (#10)', { expires: '2027-01-01T00:00:00Z' }, 0],
    ['Expires ignored beside max-age', { 'cache-control': 'max-age=60', expires: httpDate(T + DAY) }, 60_000],
    ['Expires ignored beside s-maxage', { 'cache-control': 's-maxage=60', expires: '0' }, 60_000],
  ])('%s', (_name, fields, ms) => {
    expect(lifetime(fields)).toBe(ms);
  });
});

// RFC 9111 §4.2.2: heuristic freshness only without explicit expiration, for a heuristically
// cacheable status (RFC 9110 §15.1) or `public`; 10% of Date − Last-Modified.
describe('heuristic freshness (RFC 9111 §4.2.2)', () => {
  const modified = { date: httpDate(T), 'last-modified': httpDate(T - 10 * DAY) };
  it.each([
    ['200 with Last-Modified', modified, 200, DAY],
    ['404 with Last-Modified', modified, 404, DAY],
    ['301 with Last-Modified', modified, 301, DAY],
    ['200 without Last-Modified', { date: httpDate(T) }, 200, 0],
    ['a Last-Modified after Date', { date: httpDate(T), 'last-modified': httpDate(T + 1000) }, 200, 0],
    ['an invalid Last-Modified', { date: httpDate(T), 'last-modified': 'last week' }, 200, 0],
    ['500 is not heuristically cacheable', modified, 500, 0],
    ['299 is not heuristically cacheable', modified, 299, 0],
    ['500 with public', { ...modified, 'cache-control': 'public' }, 500, DAY],
    ['never beside explicit Expires', { ...modified, expires: httpDate(T + 1000) }, 200, 1000],
    ['never beside an invalid Expires', { ...modified, expires: '0' }, 200, 0],
  ])('%s', (_name, fields, status, ms) => {
    expect(lifetime(fields, status)).toBe(ms);
  });
});

// RFC 9213 §2.2: the first valid targeted field replaces Cache-Control and Expires.
describe('freshness from a targeted field (RFC 9213 §2.2)', () => {
  it.each([
    ['CDN-Cache-Control over Cache-Control', { 'cache-control': 'max-age=60', 'cdn-cache-control': 'max-age=600' }, 600_000],
    ['Cairn-Cache-Control over CDN-Cache-Control', { 'cdn-cache-control': 'max-age=600', 'cairn-cache-control': 'max-age=6' }, 6000],
    ['Cache-Control no-cache ignored under a targeted field', { 'cache-control': 'no-cache', 'cdn-cache-control': 'max-age=60' }, 60_000],
    ['Expires ignored under a targeted field', { expires: httpDate(T + DAY), 'cdn-cache-control': 'max-age=60' }, 60_000],
    ['an invalid targeted field falls back to Cache-Control', { 'cache-control': 'max-age=60', 'cdn-cache-control': 'MAX-AGE=600' }, 60_000],
    ['an empty targeted field falls back', { 'cache-control': 'max-age=60', 'cairn-cache-control': '' }, 60_000],
    ['an invalid Cairn field falls back to a valid CDN one', { 'cairn-cache-control': 'max-age=1,', 'cdn-cache-control': 'max-age=600' }, 600_000],
    ['a decimal max-age there is stale', { 'cache-control': 'max-age=60', 'cdn-cache-control': 'max-age=1.5' }, 0],
    ['a string max-age there is stale', { 'cache-control': 'max-age=60', 'cdn-cache-control': 'max-age="60"' }, 0],
    ['no-cache there', { 'cache-control': 'max-age=60', 'cdn-cache-control': 'max-age=60, no-cache' }, 0],
  ])('%s', (_name, fields, ms) => {
    expect(lifetime(fields)).toBe(ms);
  });
});

// The rule's TTL policy: durations are operator policy from storage; origin_expires is
// the origin's lifetime less the age the response arrived with (RFC 9111 §4.2.3).
describe('storedFreshnessMs', () => {
  it.each([
    [{ kind: 'duration', seconds: 30 }, { 'cache-control': 'no-cache' }, 500_000, 30_000],
    [{ kind: 'never' }, {}, 0, Infinity],
    [{ kind: 'no_cache' }, { 'cache-control': 'max-age=60' }, 0, 0],
    [{ kind: 'origin_expires' }, { 'cache-control': 'max-age=600' }, 0, 600_000],
    [{ kind: 'origin_expires' }, { 'cache-control': 'max-age=600' }, 500_000, 100_000],
    [{ kind: 'origin_expires' }, { 'cache-control': 'max-age=600' }, 700_000, 0],
  ] as [TtlPolicy, Record<string, string>, number, number][])('%j with %j, %d ms old → %d ms', (ttl, fields, initialAgeMs, ms) => {
    expect(storedFreshnessMs(ttl, response(fields), initialAgeMs)).toBe(ms);
  });
});
