/**
 * lookup: only GET and HEAD use the cache; `x-cairn-cache-bypass: true` skips it. A stored
 * entry is a HIT only while fresh and not invalidated: an applicable invalidation with a
 * higher sequence than the entry's fillSeq makes it a MISS, whatever the clocks say.
 */
import { headers } from '@cairn/shared';
import type { GatewayContext } from '../context.js';
import type { Exchange } from './exchange.js';

export type LookupResult = { kind: 'hit' } | { kind: 'miss' } | { kind: 'pass' } | { kind: 'bypass' };

export function lookup(exchange: Exchange, context: GatewayContext, now: number): LookupResult {
  if (exchange.method !== 'GET' && exchange.method !== 'HEAD') {
    exchange.decide('PASS', 'method');
    return { kind: 'pass' };
  }
  if (exchange.headers[headers.bypass] === 'true') {
    exchange.decide('BYPASS', 'bypass-header');
    return { kind: 'bypass' };
  }
  const entry = context.store.get(exchange.key);
  if (entry === undefined) {
    exchange.decide('MISS', 'absent');
    return { kind: 'miss' };
  }
  if (context.invalidations.map.isInvalidated(entry.meta, entry.meta.fillSeq)) {
    exchange.decide('MISS', 'invalidated');
    return { kind: 'miss' };
  }
  if (entry.meta.expiresAt !== 0 && entry.meta.expiresAt <= now) {
    exchange.decide('MISS', 'expired');
    return { kind: 'miss' };
  }
  exchange.entry = entry;
  exchange.decide('HIT', 'fresh');
  return { kind: 'hit' };
}
