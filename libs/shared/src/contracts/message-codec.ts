/**
 * The one place where a NATS payload meets JSON.parse and a schema. Callers get a result,
 * never an exception, so a malformed message can be logged, counted and skipped.
 */
import { z } from 'zod';
import { describeFirstIssue, describeIssues } from '../config/describe-issues.js';

/**
 * A failure says why in words (`error`) and as a metric label (`reason`): `not-json`,
 * `invalid:body`, `invalid:<top-level field the schema declares>` or `invalid:other`.
 * The label set is closed: a sender's made-up field names never become label values (#9).
 */
export type DecodeResult<T> = { ok: true; value: T } | { ok: false; error: string; reason: string };

const textDecoder = new TextDecoder();
const textEncoder = new TextEncoder();
const FIELD_HEAD = /^[^.[]*/;

/**
 * The closed-set label for a validation failure on `field` (a dotted path as
 * `describeIssues` writes it): its top-level name when the schema declares it, else `other`.
 */
export function invalidReasonLabel(schema: z.ZodType, field: string): string {
  const head = FIELD_HEAD.exec(field)?.[0] ?? '';
  if (head === '') return 'invalid:body';
  const known = schema instanceof z.ZodObject && Object.hasOwn(schema.shape, head);
  return known ? `invalid:${head}` : 'invalid:other';
}

export function decodeMessage<S extends z.ZodType>(schema: S, data: Uint8Array): DecodeResult<z.infer<S>> {
  let json: unknown;
  try {
    json = JSON.parse(textDecoder.decode(data));
  } catch (err) {
    return { ok: false, error: `not JSON: ${(err as Error).message}`, reason: 'not-json' };
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return { ok: true, value: parsed.data };
  return { ok: false, error: describeIssues(parsed.error), reason: invalidReasonLabel(schema, describeFirstIssue(parsed.error).field) };
}

export function encodeMessage(value: unknown): Uint8Array {
  return textEncoder.encode(JSON.stringify(value));
}
