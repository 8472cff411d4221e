/** Validates a REST body or parameter against a contract schema, or throws a 400 naming the field. */
import type { z } from 'zod';
import { describeFirstIssue } from '../config/describe-issues.js';
import { ValidationError } from '../errors.js';

export function validateInput<S extends z.ZodType>(schema: S, value: unknown, fieldPrefix = ''): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = describeFirstIssue(result.error);
  const field = fieldPrefix && issue.field ? `${fieldPrefix}.${issue.field}` : fieldPrefix || issue.field;
  throw new ValidationError(field, field === '' ? issue.message : `${field}: ${issue.message}`);
}
