/**
 * The one place where a NATS payload meets JSON.parse and a schema. Callers get a result,
 * never an exception, so a malformed message can be logged, counted and skipped.
 */
import type { z } from 'zod';
import { describeFirstIssue, describeIssues } from '../config/describe-issues.js';

/** A failure says why in words (`error`) and as a label (`reason`: not-json, or invalid:<field>). */
export type DecodeResult<T> = { ok: true; value: T } | { ok: false; error: string; reason: string };

const textDecoder = new TextDecoder();
const textEncoder = new TextEncoder();

export function decodeMessage<S extends z.ZodType>(schema: S, data: Uint8Array): DecodeResult<z.infer<S>> {
  let json: unknown;
  try {
    json = JSON.parse(textDecoder.decode(data));
  } catch (err) {
    return { ok: false, error: `not JSON: ${(err as Error).message}`, reason: 'not-json' };
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return { ok: true, value: parsed.data };
  return { ok: false, error: describeIssues(parsed.error), reason: `invalid:${describeFirstIssue(parsed.error).field || 'body'}` };
}

export function encodeMessage(value: unknown): Uint8Array {
  return textEncoder.encode(JSON.stringify(value));
}
