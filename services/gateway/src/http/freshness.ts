/**
 * How long a stored response stays fresh under a rule's TTL policy. `origin_expires`
 * reads the origin's `s-maxage` / `max-age` / `Expires` through http-cache-semantics
 * (RFC 9111 §4.2.1 for a shared cache); no hand-written Cache-Control parser.
 */
import type { TtlPolicy } from '@cairn/shared';
import CachePolicy from 'http-cache-semantics';

export interface FreshnessInput {
  method: string;
  url: string;
  requestHeaders: Record<string, string | string[] | undefined>;
  status: number;
  responseHeaders: Record<string, string | string[] | undefined>;
}

/** Milliseconds of freshness, `Infinity` for `never`, or 0 when the response must not be stored. */
export function freshnessLifetimeMs(ttl: TtlPolicy, input: FreshnessInput): number {
  switch (ttl.kind) {
    case 'duration':
      return ttl.seconds * 1000;
    case 'never':
      return Infinity;
    case 'no_cache':
      return 0;
    case 'origin_expires': {
      const policy = new CachePolicy(
        { method: input.method, url: input.url, headers: input.requestHeaders },
        { status: input.status, headers: input.responseHeaders },
        { shared: true },
      );
      return policy.storable() ? policy.timeToLive() : 0;
    }
  }
}
