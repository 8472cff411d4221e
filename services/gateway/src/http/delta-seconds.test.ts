import { describe, expect, it } from 'vitest';
import { DELTA_SECONDS_MAX, deltaSeconds } from './delta-seconds.js';

// RFC 9111 §1.2.2: delta-seconds = 1*DIGIT; larger than a recipient can hold → 2^31.
describe('deltaSeconds (RFC 9111 §1.2.2)', () => {
  it.each([
    ['0', 0],
    ['600', 600],
    ['007', 7],
    ['2147483647', 2147483647],
    ['2147483648', DELTA_SECONDS_MAX],
    ['2147483649', DELTA_SECONDS_MAX],
    ['99999999999999999999', DELTA_SECONDS_MAX],
    ['1.5', undefined],
    ['-1', undefined],
    ['+1', undefined],
    ['abc', undefined],
    ['1e3', undefined],
    [' 1', undefined],
    ['', undefined],
  ])('%j → %s', (text, expected) => {
    expect(deltaSeconds(text)).toBe(expected);
  });
});
