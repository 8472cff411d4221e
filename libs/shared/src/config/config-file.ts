/** Loads a JSON config file and validates it, failing with one line naming file and field. */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { z } from 'zod';
import { ConfigError } from '../errors.js';
import { describeFirstIssue } from './describe-issues.js';

export function loadConfigFile<S extends z.ZodType>(path: string, schema: S): z.infer<S> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError(path, '', code === 'ENOENT' ? 'file not found' : `cannot read: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(path, '', `not valid JSON: ${(err as Error).message}`);
  }
  const result = schema.safeParse(json);
  if (result.success) return result.data;
  const issue = describeFirstIssue(result.error);
  throw new ConfigError(basename(path), issue.field, issue.message);
}
