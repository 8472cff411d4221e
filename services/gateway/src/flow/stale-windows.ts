/**
 * How long past its freshness an entry may still serve, in ms (0 when unset): the rule's
 * window when the rule sets one (operator policy, as VCL overrides beresp.grace),
 * otherwise the origin's RFC 5861 `stale-while-revalidate` / `stale-if-error` stored with
 * the entry. Whether the origin forbade stale altogether is EntryMeta.noStale.
 */
import { parseDuration, type Rule } from '@cairn/shared';
import type { EntryMeta } from '../store/cache-entry.js';

type OriginWindows = Pick<EntryMeta, 'originStaleWhileRevalidateMs' | 'originStaleIfErrorMs'>;

function ruleWindowMs(window: string | undefined): number | undefined {
  return window === undefined ? undefined : (parseDuration(window) ?? 0) * 1000;
}

export function staleWhileRevalidateMs(rule: Rule | undefined, meta: OriginWindows): number {
  return ruleWindowMs(rule?.staleWhileRevalidate) ?? meta.originStaleWhileRevalidateMs ?? 0;
}

export function staleIfErrorMs(rule: Rule | undefined, meta: OriginWindows): number {
  return ruleWindowMs(rule?.staleIfError) ?? meta.originStaleIfErrorMs ?? 0;
}

const refreshAheadWindows = new WeakMap<Rule, number>();

/**
 * The rule's refresh-ahead window in ms (0 when unset): a hit this close to expiry refreshes
 * ahead. Asked on every hit of such a rule, so parsed once per rule object.
 */
export function refreshAheadMs(rule: Rule | undefined): number {
  if (rule?.refreshAhead === undefined) return 0;
  let ms = refreshAheadWindows.get(rule);
  if (ms === undefined) refreshAheadWindows.set(rule, (ms = ruleWindowMs(rule.refreshAhead) ?? 0));
  return ms;
}
