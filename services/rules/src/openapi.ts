/**
 * The OpenAPI 3.1 document served at `/docs/json` (the page at `/docs`), generated from the contract schemas
 * in @cairn/shared (OpenAPI 3.1 schemas are JSON Schema 2020-12, zod's native target).
 * Cross-field refinements (e.g. stale windows with `no_cache`) are enforced but not
 * expressible here; the 400 answer names them.
 */
import {
  errorComponent,
  jsonContent as json,
  openApiAnswer as answer,
  openApiSchema as jsonSchema,
  ruleCreateSchema,
  ruleHistorySchema,
  ruleSchema,
  rulesExportSchema,
  rulesImportRequestSchema,
  rulesImportResultSchema,
  ruleTestRequestSchema,
  ruleTestResultSchema,
  schemaRef as ref,
  serviceEndpointPaths,
  storedRuleSchema,
  withBasicAuth,
} from '@cairn/shared';

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
  operationId: 'putRule',
  summary: 'Create or replace a rule',
  parameters: [idParam, ifMatch],
  requestBody: { required: true, ...json('RuleInput') },
  responses: { 204: { description: 'Stored', headers: etag }, ...errors(400, 412) },
};
const create = {
  operationId: 'createRule',
  summary: 'Create a rule (id generated unless given)',
  requestBody: { required: true, ...json('RuleInput') },
  responses: { 201: { ...answer('Created', 'StoredRule'), headers: etag }, ...errors(400, 409) },
};

/** `authRequired`: whether the service asks for credentials (AUTH_REQUIRED), which the page then offers to send. */
export function openApiDocument(authRequired: boolean): Record<string, unknown> {
  return withBasicAuth(
    {
      openapi: '3.1.0',
      info: { title: 'Cairn rules service', version: '1', description: 'TTL rules for Cairn gateways (README, Rules)' },
      paths: {
        '/rules': {
          get: { operationId: 'listRules', summary: 'List live rules', responses: { 200: { description: 'Rules by id', content: { 'application/json': { schema: { type: 'array', items: ref('StoredRule') } } } } } },
          post: create,
        },
        '/rules/{id}': {
          get: { operationId: 'getRule', summary: 'Get a rule', parameters: [idParam], responses: { 200: { ...answer('The rule', 'Rule'), headers: etag }, ...errors(400, 404) } },
          put: upsert,
          delete: { operationId: 'deleteRule', summary: 'Delete a rule (a tombstone event)', parameters: [idParam, ifMatch], responses: { 204: { description: 'Deleted' }, ...errors(400, 404, 412) } },
        },
        '/rules/{id}/history': {
          get: { operationId: 'getRuleHistory', summary: 'Retained revisions of a rule, newest first', parameters: [idParam], responses: { 200: answer('History', 'RuleHistory'), ...errors(400, 404) } },
        },
        '/rules/test': {
          post: {
            operationId: 'testRules',
            summary: 'Which rule a request matches, why, and its cache key and TTL',
            description:
              "The key is built with the gateways' cacheConfiguration.<ENVIRONMENT>.json (CONFIG_DIR) when the service has it, unless the body sends `cacheKey`; without either it is the path alone. `cacheKeyFrom` in the answer says which.",
            requestBody: { required: true, ...json('RuleTestRequest') },
            responses: { 200: answer('The decision', 'RuleTestResult'), ...errors(400) },
          },
        },
        '/rules/export': { get: { operationId: 'exportRules', summary: 'Every live rule; the answer imports as is with POST /rules/import', responses: { 200: answer('Export', 'RulesExport') } } },
        '/rules/import': {
          post: {
            operationId: 'importRules',
            summary: 'Create or update rules; unchanged rules are not rewritten',
            requestBody: { required: true, ...json('RulesImportRequest') },
            responses: { 200: answer('A result per rule', 'RulesImportResult'), ...errors(400) },
          },
        },
        '/cache/ttlConfig': { post: { ...create, operationId: 'createRuleAlias', summary: 'Compatibility alias of POST /rules' } },
        '/cache/ttlConfig/{id}': { put: { ...upsert, operationId: 'putRuleAlias', summary: 'Compatibility alias of PUT /rules/{id}' } },
        ...serviceEndpointPaths,
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
          ...errorComponent,
        },
      },
    },
    authRequired,
  );
}
