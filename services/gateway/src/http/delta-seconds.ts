/**
 * `delta-seconds` (RFC 9111 §1.2.2): a non-negative integer of seconds, digits only. A
 * value too large to hold is read as 2^31 ("infinity"); anything else (`1.5`, `-1`, `abc`,
 * empty) is invalid, and what an invalid value means is the caller's (stale, or ignored).
 */

/** RFC 9111 §1.2.2: a recipient that cannot hold a larger value uses 2^31. */
export const DELTA_SECONDS_MAX = 2_147_483_648;

const DIGITS = /^[0-9]+$/;

/** Seconds, or undefined when the text is not delta-seconds. */
export function deltaSeconds(text: string): number | undefined {
  if (!DIGITS.test(text)) return undefined;
  // More than ten digits is past 2^31 whatever they are.
  return text.length > 10 ? DELTA_SECONDS_MAX : Math.min(Number(text), DELTA_SECONDS_MAX);
}
