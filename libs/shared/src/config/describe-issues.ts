/**
 * The one formatter from zod issues to `field: problem` text. Config errors, REST 400
 * answers and the NATS message decoder all use it, so there is one message format.
 */
import type { z } from 'zod';

export interface DescribedIssue {
  /** Dotted path with array indexes in brackets: `pathPatterns[1]`, `apiHeader.key`. */
  field: string;
  message: string;
}

export function formatFieldPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}

/** The field an issue is about; an unknown key names itself, not the object holding it. */
function issueField(issue: z.core.$ZodIssue): string {
  const path = issue.code === 'unrecognized_keys' && issue.keys[0] !== undefined ? [...issue.path, issue.keys[0]] : issue.path;
  return formatFieldPath(path);
}

function issueMessage(issue: z.core.$ZodIssue): string {
  return issue.code === 'unrecognized_keys' ? 'unknown field' : issue.message;
}

/** The first issue (the one a person should fix first), with its field path. */
export function describeFirstIssue(error: z.ZodError): DescribedIssue {
  const issue = error.issues[0];
  if (issue === undefined) return { field: '', message: 'invalid value' };
  return { field: issueField(issue), message: issueMessage(issue) };
}

/** All issues on one line, `field: message; field: message`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const field = issueField(issue);
      return field === '' ? issueMessage(issue) : `${field}: ${issueMessage(issue)}`;
    })
    .join('; ');
}
