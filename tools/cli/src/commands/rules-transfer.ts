/**
 * `cairn rules export` and `cairn rules import -f FILE`: `GET /rules/export` and
 * `POST /rules/import`. An export file is sent back as it is; the service decides per rule.
 */
import type { RulesImportResult } from '@cairn/shared';
import type { CairnCommand } from '../command.js';
import { UsageError } from '../errors.js';
import { exitCodes } from '../exit-codes.js';
import { readJsonDocument } from '../input-document.js';
import { RestClient } from '../rest-client.js';

export const rulesExport: CairnCommand = {
  path: ['rules', 'export'],
  summary: 'Print every rule as one JSON document that "rules import" takes back.',
  args: [],
  options: [],
  examples: ['cairn rules export > rules.json'],
  async run(input) {
    const answer = await new RestClient('rules service', input.settings.rulesUrl, input.settings.credentials).request('GET', '/rules/export');
    return { data: answer.body, text: JSON.stringify(answer.body, null, 2) };
  },
};

export const rulesImport: CairnCommand = {
  path: ['rules', 'import'],
  summary: 'Write the rules of an export (or an array of rules); rules already equal are left unchanged.',
  args: [],
  options: [{ name: 'file', short: 'f', type: 'string', placeholder: 'path', description: 'the JSON file to read ("-" for stdin)' }],
  examples: ['cairn rules import -f rules.json', 'cairn rules export --rules-url http://staging:8081 | cairn rules import -f -'],
  async run(input) {
    const path = input.options.file;
    if (typeof path !== 'string') throw new UsageError('rules import: -f <path> is required');
    const document = await readJsonDocument(path, input.stdin);
    const body = Array.isArray(document) ? { rules: document } : document;
    const client = new RestClient('rules service', input.settings.rulesUrl, input.settings.credentials);
    const result = (await client.request('POST', '/rules/import', body)).body as RulesImportResult;
    const { summary } = result;
    const lines = result.results.map((r) => `${r.status.padEnd(9)} ${r.id ?? `rules[${r.index}]`}${r.revision === undefined ? '' : ` (revision ${r.revision})`}${r.message === undefined ? '' : `: ${r.message}`}`);
    lines.push(`created ${summary.created ?? 0}, updated ${summary.updated ?? 0}, unchanged ${summary.unchanged ?? 0}, invalid ${summary.invalid ?? 0}, conflict ${summary.conflict ?? 0}`);
    const refused = result.results.filter((r) => r.status === 'invalid' || r.status === 'conflict');
    const problems = refused.length === 0 ? [] : [`rules import: ${refused.length} of ${result.results.length} rules not written (${refused.map((r) => `${r.id ?? `rules[${r.index}]`}: ${r.status}`).join(', ')})`];
    return { data: result, text: lines.join('\n'), problems, ...(problems.length > 0 ? { exitCode: exitCodes.failed } : {}) };
  },
};
