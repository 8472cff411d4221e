/**
 * Cache-Control directives as a map (RFC 9111 §5.2): names lowercased (§5.2: case-
 * insensitive), quoted-string values unquoted (commas inside them kept), the first of a
 * repeated directive kept (§4.2.1), field lines combined (RFC 9110 §5.3). Used for the
 * request directives the gateway honours; what a response's directives mean for a shared
 * cache is http/response-directives.ts's.
 */
import { combinedField } from './field-lines.js';

export type Directives = ReadonlyMap<string, string>;

const EMPTY: Directives = new Map();

/** A quoted-string (RFC 9110 §5.6.4) from its opening quote; returns the value and where it ended. */
function quoted(text: string, start: number): { value: string; end: number } {
  let value = '';
  let i = start + 1;
  while (i < text.length && text[i] !== '"') {
    if (text[i] === '\\' && i + 1 < text.length) i++;
    value += text[i];
    i++;
  }
  return { value, end: i + 1 };
}

export function parseCacheControl(header: string | readonly string[] | undefined): Directives {
  const text = combinedField(header);
  if (text === undefined || text === '') return EMPTY;
  const directives = new Map<string, string>();
  let i = 0;
  while (i < text.length) {
    let end = i;
    while (end < text.length && text[end] !== '=' && text[end] !== ',') end++;
    const name = text.slice(i, end).trim().toLowerCase();
    let value = '';
    i = end;
    if (text[i] === '=') {
      i++;
      while (text[i] === ' ' || text[i] === '\t') i++;
      if (text[i] === '"') {
        ({ value, end: i } = quoted(text, i));
        // Anything between the closing quote and the next comma is not part of the value.
        while (i < text.length && text[i] !== ',') i++;
      } else {
        end = text.indexOf(',', i);
        if (end === -1) end = text.length;
        value = text.slice(i, end).trim();
        i = end;
      }
    }
    i++;
    if (name !== '' && !directives.has(name)) directives.set(name, value);
  }
  return directives;
}
