/** A rule's stale windows in ms (0 when unset): how long past its TTL an entry may still serve. */
import { parseDuration, type Rule } from '@cairn/shared';

export function staleWhileRevalidateMs(rule: Rule | undefined): number {
  const window = rule?.staleWhileRevalidate;
  return window === undefined ? 0 : (parseDuration(window) ?? 0) * 1000;
}

export function staleIfErrorMs(rule: Rule | undefined): number {
  const window = rule?.staleIfError;
  return window === undefined ? 0 : (parseDuration(window) ?? 0) * 1000;
}
