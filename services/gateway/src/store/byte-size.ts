/**
 * Byte counts as operators write them: `1073741824`, `512MB`, `2GiB`. Suffixes are powers
 * of 1024 whether spelled `MB` or `MiB` (as nginx's `max_size=1g`), so `1GB` is 1 GiB.
 * Parsing only: what the bound means is the store's (stored-bytes.ts).
 */
import { z } from 'zod';

const UNITS: Readonly<Record<string, number>> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };
const BYTE_SIZE = /^(\d+)\s*(?:([kmgt])i?)?b?$/i;
const EXPECTED = 'expected a byte count like 1073741824, 512MB or 2GB';

/** The byte count `text` names; undefined when it is not one. */
export function parseByteSize(text: string, { allowZero = false } = {}): number | undefined {
  const match = BYTE_SIZE.exec(text.trim());
  if (match === null) return undefined;
  const bytes = Number(match[1]) * (UNITS[(match[2] ?? '').toLowerCase()] ?? 1);
  return Number.isSafeInteger(bytes) && (bytes > 0 || (allowZero && bytes === 0)) ? bytes : undefined;
}

/** `allowZero`: 0 is a valid setting (it turns the thing bounded off). */
export const byteSizeSchema = (defaultValue: string, { allowZero = false } = {}) =>
  z
    .string()
    .default(defaultValue)
    .transform((text, ctx) => {
      const bytes = parseByteSize(text, { allowZero });
      if (bytes === undefined) ctx.addIssue({ code: 'custom', message: allowZero ? `${EXPECTED}, or 0` : EXPECTED });
      return bytes ?? 0;
    });
