/** A rule's stale windows in ms (0 when unset): how long past its TTL an entry may still serve. */
import { parseDuration, type RuleMatch } from '@cairn/shared';

export function staleWhileRevalidateMs(match: RuleMatch | undefined): number {
  const window = match?.rule.staleWhileRevalidate;
  return window === undefined ? 0 : (parseDuration(window) ?? 0) * 1000;
}

export function staleIfErrorMs(match: RuleMatch | undefined): number {
  const window = match?.rule.staleIfError;
  return window === undefined ? 0 : (parseDuration(window) ?? 0) * 1000;
}
