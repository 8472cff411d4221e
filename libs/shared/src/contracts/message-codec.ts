/**
 * The one place where a NATS payload meets JSON.parse and a schema. Callers get a result,
 * never an exception, so a malformed message can be logged, counted and skipped.
 */
import type { z } from 'zod';
import { describeIssues } from '../config/describe-issues.js';

export type DecodeResult<T> = { ok: true; value: T } | { ok: false; error: string };

const textDecoder = new TextDecoder();
const textEncoder = new TextEncoder();

export function decodeMessage<S extends z.ZodType>(schema: S, data: Uint8Array): DecodeResult<z.infer<S>> {
  let json: unknown;
  try {
    json = JSON.parse(textDecoder.decode(data));
  } catch (err) {
    return { ok: false, error: `not JSON: ${(err as Error).message}` };
  }
  const parsed = schema.safeParse(json);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, error: describeIssues(parsed.error) };
}

export function encodeMessage(value: unknown): Uint8Array {
  return textEncoder.encode(JSON.stringify(value));
}
