/**
 * The OpenAPI 3.1 document served at `/docs/json`, generated from the contract schemas
 * in @cairn/shared (OpenAPI 3.1 schemas are JSON Schema 2020-12, zod's native target).
 * Cross-field refinements (e.g. stale windows with `no_cache`) are enforced but not
 * expressible here; the 400 answer names them.
 */
import {
  errorResponseSchema,
  ruleCreateSchema,
  ruleHistorySchema,
  ruleSchema,
  rulesExportSchema,
  rulesImportRequestSchema,
  rulesImportResultSchema,
  ruleTestRequestSchema,
  ruleTestResultSchema,
  storedRuleSchema,
} from '@cairn/shared';
import { z } from 'zod';

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const generated: Record<string, unknown> = z.toJSONSchema(schema, { io, unrepresentable: 'any' });
  // The dialect is the document's (OpenAPI 3.1), not repeated per component.
  delete generated.$schema;
  return generated;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (name: string) => ({ content: { 'application/json': { schema: ref(name) } } });
const answer = (description: string, schema?: string) => ({ description, ...(schema === undefined ? {} : json(schema)) });
const errors = (...statuses: Array<400 | 404 | 409 | 412>) =>
  Object.fromEntries(
    statuses.map((status) => [
      status,
      answer({ 400: 'Invalid input; `field` names it', 404: 'No such rule', 409: 'A rule with this id exists', 412: 'If-Match is not the current revision' }[status], 'Error'),
    ]),
  );
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,128}$' } };
const ifMatch = { name: 'If-Match', in: 'header', required: false, schema: { type: 'string' }, description: 'Expected revision (the ETag)' };
const etag = { ETag: { schema: { type: 'string' }, description: 'The rule revision' } };

const upsert = {
  summary: 'Create or replace a rule',
  parameters: [idParam, ifMatch],
  requestBody: { required: true, ...json('RuleInput') },
  responses: { 204: { description: 'Stored', headers: etag }, ...errors(400, 412) },
};
const create = {
  summary: 'Create a rule (id generated unless given)',
  requestBody: { required: true, ...json('RuleInput') },
  responses: { 201: { ...answer('Created', 'StoredRule'), headers: etag }, ...errors(400, 409) },
};

export function openApiDocument(): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: { title: 'Cairn rules service', version: '1', description: 'TTL rules for Cairn gateways (README, Rules)' },
    paths: {
      '/rules': {
        get: { summary: 'List live rules', responses: { 200: { description: 'Rules by id', content: { 'application/json': { schema: { type: 'array', items: ref('StoredRule') } } } } } },
        post: create,
      },
      '/rules/{id}': {
        get: { summary: 'Get a rule', parameters: [idParam], responses: { 200: { ...answer('The rule', 'Rule'), headers: etag }, ...errors(400, 404) } },
        put: upsert,
        delete: { summary: 'Delete a rule (a tombstone event)', parameters: [idParam, ifMatch], responses: { 204: { description: 'Deleted' }, ...errors(400, 404, 412) } },
      },
      '/rules/{id}/history': {
        get: { summary: 'Retained revisions of a rule, newest first', parameters: [idParam], responses: { 200: answer('History', 'RuleHistory'), ...errors(400, 404) } },
      },
      '/rules/test': {
        post: {
          summary: 'Which rule a request matches, why, and its cache key and TTL',
          requestBody: { required: true, ...json('RuleTestRequest') },
          responses: { 200: answer('The decision', 'RuleTestResult'), ...errors(400) },
        },
      },
      '/rules/export': { get: { summary: 'Every live rule, importable as is', responses: { 200: answer('Export', 'RulesExport') } } },
      '/rules/import': {
        post: {
          summary: 'Create or update rules; unchanged rules are not rewritten',
          requestBody: { required: true, ...json('RulesImportRequest') },
          responses: { 200: answer('A result per rule', 'RulesImportResult'), ...errors(400) },
        },
      },
      '/cache/ttlConfig': { post: { ...create, summary: 'Compatibility alias of POST /rules' } },
      '/cache/ttlConfig/{id}': { put: { ...upsert, summary: 'Compatibility alias of PUT /rules/{id}' } },
    },
    components: {
      schemas: {
        Rule: jsonSchema(ruleSchema, 'output'),
        RuleInput: jsonSchema(ruleCreateSchema, 'input'),
        StoredRule: jsonSchema(storedRuleSchema, 'output'),
        RuleHistory: jsonSchema(ruleHistorySchema, 'output'),
        RuleTestRequest: jsonSchema(ruleTestRequestSchema, 'input'),
        RuleTestResult: jsonSchema(ruleTestResultSchema, 'output'),
        RulesExport: jsonSchema(rulesExportSchema, 'output'),
        RulesImportRequest: jsonSchema(rulesImportRequestSchema, 'input'),
        RulesImportResult: jsonSchema(rulesImportResultSchema, 'output'),
        Error: jsonSchema(errorResponseSchema, 'output'),
      },
    },
  };
}
