/**
 * `cairn rules ls|get|apply|rm|test`: the rules service's REST API (`/rules`, `/rules/:id`,
 * `POST /rules/test`). Bulk export and import live in rules-transfer.ts.
 */
import type { RuleTestResult } from '@cairn/shared';
import type { CairnCommand, CommandInput } from '../command.js';
import { UsageError, OperationFailedError } from '../errors.js';
import { exitCodes } from '../exit-codes.js';
import { parseHeaderLines } from '../header-line.js';
import { readJsonDocument } from '../input-document.js';
import { RestClient } from '../rest-client.js';
import { formatTable } from '../text-table.js';

interface ListedRule {
  id: string;
  ttl: string;
  pathPatterns: string[];
  priority?: number;
  groupCode?: string;
  revision: number;
}

const rulesClient = (input: CommandInput) => new RestClient('rules service', input.settings.rulesUrl, input.settings.credentials);
const ruleIdPath = (id: string) => `/rules/${encodeURIComponent(id)}`;
/** `"12"` → 12, as the rules service sends revisions in ETag. */
const revisionOf = (headers: Headers): number | undefined => {
  const match = /^"?(\d+)"?$/.exec(headers.get('etag') ?? '');
  return match === null ? undefined : Number(match[1]);
};

const fileOption = { name: 'file', short: 'f', type: 'string', placeholder: 'path', description: 'the JSON file to read ("-" for stdin)' } as const;
const headerOption = { name: 'header', short: 'H', type: 'string', multiple: true, placeholder: 'Name: value', description: 'a request header (repeatable)' } as const;

export const rulesList: CairnCommand = {
  path: ['rules', 'ls'],
  summary: 'List the rules with their revisions.',
  args: [],
  options: [],
  examples: ['cairn rules ls', 'cairn rules ls --json | jq -r ".[].id"'],
  async run(input) {
    const rules = (await rulesClient(input).request('GET', '/rules')).body as ListedRule[];
    const rows = rules.map((r) => [r.id, r.ttl, String(r.priority ?? 0), r.groupCode ?? '-', String(r.revision), r.pathPatterns.join(' ')]);
    const text = rules.length === 0 ? 'no rules' : formatTable(['ID', 'TTL', 'PRIORITY', 'GROUP', 'REVISION', 'PATTERNS'], rows);
    return { data: rules, text };
  },
};

export const rulesGet: CairnCommand = {
  path: ['rules', 'get'],
  summary: 'Print one rule as JSON (its revision is the ETag, shown by "rules ls").',
  args: [{ name: 'id', required: true }],
  options: [],
  examples: ['cairn rules get products > products.json'],
  async run(input) {
    const answer = await rulesClient(input).request('GET', ruleIdPath(input.args.id as string));
    return { data: answer.body, text: JSON.stringify(answer.body, null, 2) };
  },
};

/** The rules a file holds: one rule, an array of them, or an export document `{rules: [...]}`. */
export function rulesIn(document: unknown, path: string): Record<string, unknown>[] {
  const list = Array.isArray(document) ? document : Array.isArray((document as { rules?: unknown } | null)?.rules) ? (document as { rules: unknown[] }).rules : [document];
  return list.map((rule, index) => {
    if (rule === null || typeof rule !== 'object' || Array.isArray(rule)) throw new UsageError(`${path}: rules[${index}]: expected a rule object`);
    const id = (rule as { id?: unknown }).id;
    if (typeof id !== 'string' || id === '') throw new UsageError(`${path}: rules[${index}].id: required (apply writes each rule under its id)`);
    // `rules ls --json` lists rules with their revision; the revision is not part of a rule.
    const body = { ...(rule as Record<string, unknown>) };
    delete body.revision;
    return body;
  });
}

export const rulesApply: CairnCommand = {
  path: ['rules', 'apply'],
  summary: 'Create or replace the rules in a file (one rule, an array, or an export), each under its id.',
  args: [],
  options: [fileOption],
  examples: ['cairn rules apply -f products.json', `echo '{"id":"all","pathPatterns":["^/.*$"],"ttl":"5m"}' | cairn rules apply -f -`],
  async run(input) {
    const path = input.options.file;
    if (typeof path !== 'string') throw new UsageError('rules apply: -f <path> is required');
    const rules = rulesIn(await readJsonDocument(path, input.stdin), path);
    const client = rulesClient(input);
    const applied: { id: string; revision: number | undefined }[] = [];
    const problems: string[] = [];
    for (const rule of rules) {
      const id = rule.id as string;
      try {
        const answer = await client.request('PUT', ruleIdPath(id), rule);
        applied.push({ id, revision: revisionOf(answer.headers) });
      } catch (err) {
        // Each rule stands alone: the others are still applied and the refusal is reported.
        if (!(err instanceof OperationFailedError)) throw err;
        problems.push(`rule ${id}: ${err.message}`);
      }
    }
    const text = applied.map((a) => `rule ${a.id} applied (revision ${a.revision ?? '?'})`).join('\n');
    return { data: { applied, failed: problems }, text, problems, ...(problems.length > 0 ? { exitCode: exitCodes.failed } : {}) };
  },
};

export const rulesRemove: CairnCommand = {
  path: ['rules', 'rm'],
  summary: 'Delete a rule.',
  args: [{ name: 'id', required: true }],
  options: [],
  examples: ['cairn rules rm products'],
  async run(input) {
    const id = input.args.id as string;
    await rulesClient(input).request('DELETE', ruleIdPath(id));
    return { data: { id, deleted: true }, text: `rule ${id} deleted` };
  },
};

function describeTest(result: RuleTestResult): string {
  const { match } = result;
  const matched =
    match === null
      ? 'none: not cached'
      : `${match.ruleId} (pattern ${match.pattern}, ttl ${match.ttl}${match.cacheable ? '' : ', not cached'}, priority ${match.priority}${match.groupCode === undefined ? '' : `, group ${match.groupCode}`})`;
  const lines = [`path   ${result.normalizedPath}`, `cache  ${result.cache}`, `key    ${result.cacheKey} (from ${result.cacheKeyFrom})`, `match  ${matched}`];
  for (const candidate of result.candidates) lines.push(`  ${candidate.verdict}: ${candidate.ruleId} ${candidate.pattern}${candidate.detail === undefined ? '' : ` (${candidate.detail})`}`);
  return lines.join('\n');
}

export const rulesTest: CairnCommand = {
  path: ['rules', 'test'],
  summary: 'Show which rule a request would match, its cache key and TTL, and why the other rules lost.',
  args: [{ name: 'url', required: true }],
  options: [headerOption, { name: 'cache', type: 'string', placeholder: 'page|api', description: "which cache the key is built for (default: as the gateways' configuration routes the request, else page)" }],
  examples: ['cairn rules test /products/1?color=red', "cairn rules test https://shop.example/api/cart -H 'x-device: mobile' --cache api"],
  async run(input) {
    const headers = parseHeaderLines(input.options.header);
    const cache = input.options.cache;
    const body = { url: input.args.url, headers: Object.fromEntries(headers), ...(typeof cache === 'string' ? { cache } : {}) };
    const result = (await rulesClient(input).request('POST', '/rules/test', body)).body as RuleTestResult;
    return { data: result, text: describeTest(result) };
  },
};
