/**
 * The TTL grammar, in one place (README, Rules): `<n>s|m|h|d|w|y`, `origin_expires`,
 * `never`, `no_cache`; the same durations give a rule's `staleWhileRevalidate` and
 * `staleIfError` windows. Parsing only; what a gateway does with each policy is its business.
 */

export type TtlPolicy =
  | { readonly kind: 'duration'; readonly seconds: number }
  | { readonly kind: 'origin_expires' }
  | { readonly kind: 'never' }
  | { readonly kind: 'no_cache' };

const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800, y: 31_536_000 } as const;
const DURATION = /^([1-9][0-9]{0,9})([smhdwy])$/;
/** Ten years: anything longer is a typo, and `never` says it better. */
export const MAX_TTL_SECONDS = 10 * UNIT_SECONDS.y;



export const DURATION_GRAMMAR = 'a duration like 30s, 5m, 6h, 1d, 2w or 1y';
export const TTL_GRAMMAR = `${DURATION_GRAMMAR}, or origin_expires, never, no_cache`;

/** Parses `<n>s|m|h|d|w|y` to seconds (also used for stale windows), or undefined. */
export function parseDuration(duration: string): number | undefined {
  const match = DURATION.exec(duration);
  if (match === null) return undefined;
  const seconds = Number(match[1]) * UNIT_SECONDS[match[2] as keyof typeof UNIT_SECONDS];
  return seconds <= MAX_TTL_SECONDS ? seconds : undefined;
}

/** Parses a TTL, or returns undefined when it is not in the grammar. */
export function parseTtl(ttl: string): TtlPolicy | undefined {
  switch (ttl) {
    case 'origin_expires':
    case 'never':
    case 'no_cache':
      return { kind: ttl };
  }
  const seconds = parseDuration(ttl);
  return seconds === undefined ? undefined : { kind: 'duration', seconds };
}
