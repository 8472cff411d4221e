/**
 * The RFC 9211 `Cache-Status` field value: `cairn; hit; ttl=42; detail=fresh` or
 * `cairn; fwd=miss; fwd-status=200; stored; collapsed; ttl=300; detail=absent`.
 * `ttl` is the remaining freshness in seconds (negative when served stale).
 */
export const CACHE_NAME = 'cairn';

export type ForwardReason = 'bypass' | 'method' | 'uri-miss' | 'miss' | 'stale' | 'request';

export interface CacheStatus {
  hit: boolean;
  fwd?: ForwardReason | undefined;
  fwdStatus?: number | undefined;
  stored?: boolean | undefined;
  collapsed?: boolean | undefined;
  ttlSeconds?: number | undefined;
  detail?: string | undefined;
}

export function formatCacheStatus(status: CacheStatus): string {
  let out = CACHE_NAME;
  if (status.hit) out += '; hit';
  if (status.fwd !== undefined) out += `; fwd=${status.fwd}`;
  if (status.fwdStatus !== undefined) out += `; fwd-status=${status.fwdStatus}`;
  if (status.stored === true) out += '; stored';
  if (status.collapsed === true) out += '; collapsed';
  if (status.ttlSeconds !== undefined) out += `; ttl=${status.ttlSeconds}`;
  if (status.detail !== undefined) out += `; detail=${status.detail}`;
  return out;
}
