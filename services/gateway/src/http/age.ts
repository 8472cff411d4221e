/**
 * The age of a response when it arrives (RFC 9111 §4.2.3): corrected_initial_age =
 * max(apparent_age, age_value + response_delay). Computed once at store time; a hit adds
 * its resident time (one subtraction in flow/deliver.ts).
 */
import { deltaSeconds } from './delta-seconds.js';
import { combinedField } from './field-lines.js';
import { parseHttpDate } from './http-date.js';

/**
 * The `Age` field in seconds (§5.1): a list counts by its first member; a value that is
 * not a non-negative integer (`7200.0`, `-5`, `abc`) is ignored.
 */
export function ageValueSeconds(field: string | readonly string[] | undefined): number | undefined {
  const value = combinedField(field);
  if (value === undefined) return undefined;
  const comma = value.indexOf(',');
  return deltaSeconds((comma === -1 ? value : value.slice(0, comma)).trim());
}

export interface ResponseTiming {
  /** The response's `Age` field. */
  age: string | readonly string[] | undefined;
  /** The response's `Date` field; missing or invalid means the response time (§4.2.3 date_value). */
  date: string | readonly string[] | undefined;
  /** When the request that got it was sent (§4.2.3 request_time), wall-clock ms. */
  requestTime: number;
  /** When the response arrived (§4.2.3 response_time), wall-clock ms. */
  responseTime: number;
}

/** corrected_initial_age in ms (§4.2.3), never negative. */
export function correctedInitialAgeMs(timing: ResponseTiming): number {
  const dateValue = parseHttpDate(combinedField(timing.date), timing.responseTime) ?? timing.responseTime;
  const apparentAge = Math.max(0, timing.responseTime - dateValue);
  const responseDelay = Math.max(0, timing.responseTime - timing.requestTime);
  const correctedAgeValue = (ageValueSeconds(timing.age) ?? 0) * 1000 + responseDelay;
  return Math.max(apparentAge, correctedAgeValue);
}

/**
 * current_age (RFC 9111 §4.2.3) of a stored response: its corrected initial age plus the
 * time it has been stored (0 for entries stored before the initial age was kept).
 */
export function currentAgeMs(stored: { initialAgeMs?: number | undefined; storedAt: number }, now: number): number {
  return (stored.initialAgeMs ?? 0) + Math.max(0, now - stored.storedAt);
}
