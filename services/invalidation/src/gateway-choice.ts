/**
 * Which live gateway does a piece of work for the fleet (a warmed URL's fetch, a refresh
 * invalidation's refetch): rendezvous hashing of the work's key over the live gateway ids.
 * Every instance of this service picks the same gateway for the same key while the fleet is
 * the same, work spreads evenly over the gateways, and a gateway joining or leaving moves
 * only the keys it wins or held (round robin would move them all, and depends on call order).
 */
import type { InvalidationEvent } from '@cairn/shared';
import type { GatewayRegistry } from './gateway-registry.js';

/** The gateway that refetches a refresh invalidation's entries, or undefined when none is live. */
export type RefresherChoice = (event: InvalidationEvent) => string | undefined;

/**
 * The highest-scoring id for `key`, or undefined for no ids. The score is a 32-bit FNV-1a
 * of id and key with murmur3's finalizer: not cryptographic (nobody gains by steering
 * work), but cheap enough to run over GATEWAY_REGISTRY_MAX ids for every URL of a warm.
 */
export function chooseGateway(gatewayIds: readonly string[], key: string): string | undefined {
  let best: string | undefined;
  let bestScore = -1;
  for (const id of gatewayIds) {
    const score = scoreOf(id, key);
    // Ties (vanishingly rare) go to the lower id, so the choice never depends on list order.
    if (score > bestScore || (score === bestScore && best !== undefined && id < best)) {
      best = id;
      bestScore = score;
    }
  }
  return best;
}

/**
 * Rendezvous on the invalidation's target (kind, cache, key): repeated refreshes of one
 * target go to the same gateway, refreshes of different targets spread over the fleet.
 */
export function refresherFrom(registry: GatewayRegistry): RefresherChoice {
  return (event) => chooseGateway(eligibleGatewayIds(registry), `${event.kind}\u0000${event.cache}\u0000${event.key ?? ''}`);
}

/**
 * The live gateways that may fetch for the fleet: those following the invalidation feed
 * normally, or every live one when none is. A gateway that lost its feed stamps its fills
 * with an old sequence, so its peers may refuse them as invalidated, and a refresh it was
 * named for may never reach it.
 */
export function eligibleGatewayIds(registry: GatewayRegistry): string[] {
  const live = registry.live();
  const normal = live.filter((g) => g.mode === 'normal');
  return (normal.length > 0 ? normal : live).map((g) => g.gatewayId);
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

function scoreOf(id: string, key: string): number {
  let h = fnv(FNV_OFFSET, id);
  // A NUL code unit between id and key keeps ("ab", "c") and ("a", "bc") apart.
  h = Math.imul(h, FNV_PRIME);
  h = fnv(h, key);
  // murmur3 fmix32: FNV alone leaves similar inputs (gw-1, gw-2) with correlated high bits.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function fnv(seed: number, text: string): number {
  let h = seed;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), FNV_PRIME);
  return h;
}
