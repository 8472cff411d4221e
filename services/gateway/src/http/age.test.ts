import { describe, expect, it } from 'vitest';
import { ageValueSeconds, correctedInitialAgeMs, currentAgeMs } from './age.js';

// RFC 9111 §5.1: Age is a non-negative integer (delta-seconds); a list counts by its first
// member; anything else is ignored.
describe('ageValueSeconds (RFC 9111 §5.1)', () => {
  it.each([
    ['60', 60],
    ['0', 0],
    ['7200.0', undefined],
    ['-5', undefined],
    ['abc', undefined],
    ['', undefined],
    ['10, 20', 10],
    [['10', '20'], 10],
    ['x, 20', undefined],
    [undefined, undefined],
  ])('%j → %s', (field, expected) => {
    expect(ageValueSeconds(field as string | string[] | undefined)).toBe(expected);
  });
});

const T = Date.UTC(2026, 11, 1, 12, 0, 0);
const httpDate = (ms: number) => new Date(ms).toUTCString();

// RFC 9111 §4.2.3: apparent_age = max(0, response_time − date_value); response_delay =
// response_time − request_time; corrected_initial_age = max(apparent_age, age_value + response_delay).
describe('correctedInitialAgeMs (RFC 9111 §4.2.3)', () => {
  it.each([
    ['a fresh answer from the origin', { age: undefined, date: httpDate(T), requestTime: T, responseTime: T }, 0],
    ['the response delay counts', { age: undefined, date: httpDate(T), requestTime: T - 300, responseTime: T }, 300],
    ['Age plus the response delay', { age: '500', date: httpDate(T), requestTime: T - 300, responseTime: T }, 500_300],
    ['a Date in the past gives the apparent age', { age: undefined, date: httpDate(T - 30_000), requestTime: T, responseTime: T }, 30_000],
    ['the larger of apparent age and corrected Age', { age: '10', date: httpDate(T - 30_000), requestTime: T, responseTime: T }, 30_000],
    ['a Date in the future is no negative age', { age: undefined, date: httpDate(T + 60_000), requestTime: T, responseTime: T }, 0],
    ['no Date: the response time', { age: '5', date: undefined, requestTime: T, responseTime: T }, 5000],
    ['an invalid Date: the response time', { age: undefined, date: 'yesterday', requestTime: T, responseTime: T }, 0],
    ['an invalid Age is ignored (#10)', { age: '7200.0', date: httpDate(T), requestTime: T, responseTime: T }, 0],
  ])('%s', (_name, timing, ms) => {
    expect(correctedInitialAgeMs(timing)).toBe(ms);
  });
});

// RFC 9111 §4.2.3: current_age = corrected_initial_age + resident_time.
describe('currentAgeMs (RFC 9111 §4.2.3)', () => {
  it.each([
    ['the initial age plus the time stored', { initialAgeMs: 100_000, storedAt: T }, T + 5000, 105_000],
    ['an entry stored before the initial age was kept counts from storage', { storedAt: T }, T + 5000, 5000],
    ['a clock that went back never makes it younger than it arrived', { initialAgeMs: 3000, storedAt: T }, T - 1000, 3000],
  ])('%s', (_name, stored, now, ms) => {
    expect(currentAgeMs(stored, now)).toBe(ms);
  });
});
