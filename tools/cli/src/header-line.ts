/** `-H 'Name: value'` lines, as curl and `nats pub` take them, parsed into name/value pairs. */
import { UsageError } from './errors.js';
import type { OptionValue } from './command-line.js';

/** RFC 9110 §5.1 field names: a token. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export function parseHeaderLine(line: string): [string, string] {
  const colon = line.indexOf(':');
  const name = colon < 0 ? '' : line.slice(0, colon).trim();
  if (!TOKEN.test(name)) throw new UsageError(`-H ${JSON.stringify(line)}: expected 'Name: value'`);
  return [name, line.slice(colon + 1).trim()];
}

export function parseHeaderLines(option: OptionValue): [string, string][] {
  if (option === undefined || typeof option === 'boolean') return [];
  return (Array.isArray(option) ? option : [option]).map(parseHeaderLine);
}
