/**
 * A gateway's hit ratio, from its heartbeat's counts (fleet-status.ts) or its `/metrics` text: `cairn_gateway_requests_total` summed by
 * outcome. Hits are HIT and STALE answers (served from the store), over every answer that
 * looked in the store (HIT, STALE, MISS); PASS and BYPASS never do, so they do not count.
 */

export interface HitCounts {
  hits: number;
  stale: number;
  misses: number;
  /** Every proxied request, PASS and BYPASS included. */
  requests: number;
  /** (hits + stale) / (hits + stale + misses); null before any lookup. */
  hitRatio: number | null;
}

const SAMPLE = /^cairn_gateway_requests_total\{([^}]*)\}\s+(\S+)/;
const OUTCOME = /(?:^|,)\s*outcome="([^"]*)"/;

export function hitCountsFromMetrics(text: string): HitCounts {
  const byOutcome = new Map<string, number>();
  for (const line of text.split('\n')) {
    const sample = SAMPLE.exec(line);
    if (sample === null) continue;
    const outcome = OUTCOME.exec(sample[1] ?? '')?.[1];
    const value = Number(sample[2]);
    if (outcome === undefined || !Number.isFinite(value)) continue;
    byOutcome.set(outcome, (byOutcome.get(outcome) ?? 0) + value);
  }
  const count = (outcome: string) => byOutcome.get(outcome) ?? 0;
  const hits = count('HIT');
  const stale = count('STALE');
  const misses = count('MISS');
  let requests = 0;
  for (const value of byOutcome.values()) requests += value;
  return { hits, stale, misses, requests, hitRatio: hitRatioOf(hits, stale, misses) };
}

/** (hits + stale) / (hits + stale + misses); null before any lookup. */
export function hitRatioOf(hits: number, stale: number, misses: number): number | null {
  const lookups = hits + stale + misses;
  return lookups === 0 ? null : (hits + stale) / lookups;
}
