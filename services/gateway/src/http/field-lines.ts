/**
 * One field value from however many field lines carried it (RFC 9110 §5.3): node and undici
 * hand a repeated field over as `string[]`, and every reader of a response or request field
 * (freshness, storability, stale windows, tags, Vary) reads it through here, so a repeated
 * `Cache-Control` means what its lines mean together. Never for `Set-Cookie`, whose lines
 * cannot be combined (§5.3).
 */
export function combinedField(value: string | readonly string[] | undefined): string | undefined {
  if (value === undefined || typeof value === 'string') return value;
  return value.length === 0 ? undefined : value.join(', ');
}

/** The first line of a field that must be a singleton (ETag, Last-Modified, If-Range): a repeat is ignored. */
export function firstFieldLine(value: string | readonly string[] | undefined): string | undefined {
  return typeof value === 'string' || value === undefined ? value : value[0];
}
