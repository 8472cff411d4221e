/**
 * The OpenAPI 3.1 document served at `/docs/json` (the page at `/docs`), generated from the
 * contract schemas in @cairn/shared and the routes' own query schemas. Cross-field rules
 * (`cacheTag` with type `cacheTag`, exactly one of `urls` and `sitemap`) are enforced but not
 * expressible here; the 400 answer names the field.
 */
import {
  errorComponent,
  gatewayListSchema,
  invalidationAcceptedSchema,
  invalidationCommandSchema,
  invalidationConfirmationSchema,
  invalidationListSchema,
  jsonContent as json,
  openApiAnswer as answer,
  openApiSchema as jsonSchema,
  schemaRef as ref,
  serviceEndpointPaths,
  warmAcceptedSchema,
  warmAnswerSchema,
  warmCommandSchema,
  warmReportSchema,
  withBasicAuth,
} from '@cairn/shared';
import type { z } from 'zod';
import { listQuerySchema } from './routes/invalidate.js';
import { reportQuerySchema } from './routes/warm.js';

type ErrorStatus = 400 | 404 | 429 | 502 | 503 | 504;
const errorText: Record<ErrorStatus, string> = {
  400: 'Invalid input; `field` names it',
  404: 'Not kept by this instance (unknown, or forgotten)',
  429: 'No room for another warm; try again when one is done',
  502: 'The sitemap could not be read',
  503: 'No live gateway',
  504: 'Reading the sitemap took too long',
};
const errors = (...statuses: ErrorStatus[]) => Object.fromEntries(statuses.map((status) => [status, answer(errorText[status], 'Error')]));

/** Query parameters from a route's zod query schema: one per property. */
function queryParameters(schema: z.ZodObject): Array<Record<string, unknown>> {
  const { properties = {}, required = [] } = jsonSchema(schema, 'input') as { properties?: Record<string, unknown>; required?: string[] };
  return Object.entries(properties).map(([name, property]) => ({ name, in: 'query', required: required.includes(name), schema: property }));
}

const idParam = (what: string) => ({ name: 'id', in: 'path', required: true, schema: { type: 'string' }, description: `The ${what} id` });
const location = { Location: { schema: { type: 'string' }, description: 'The report: GET it for progress' } };

/** `authRequired`: whether the service asks for credentials (AUTH_REQUIRED), which the page then offers to send. */
export function openApiDocument(authRequired: boolean): Record<string, unknown> {
  return withBasicAuth(
    {
      openapi: '3.1.0',
      info: { title: 'Cairn invalidation service', version: '1', description: 'Invalidation and warming for Cairn gateways (README, Invalidation; Active caching)' },
      paths: {
        '/cache/invalidate': {
          post: {
            operationId: 'invalidate',
            summary: 'Invalidate by cache, group, tag or URL; waits (bounded) for every live gateway to apply it',
            requestBody: { required: true, ...json('InvalidationCommand') },
            responses: {
              200: answer('Applied by `acknowledgedBy`; `pending` had not within ACK_TIMEOUT_MS', 'InvalidationConfirmation'),
              202: answer('Published (runAsync: true); GET /cache/invalidate/{id} reports later', 'InvalidationAccepted'),
              ...errors(400),
            },
          },
        },
        '/cache/invalidate/{id}': {
          get: { operationId: 'getInvalidation', summary: 'The confirmation report of an invalidation, later', parameters: [idParam('invalidation')], responses: { 200: answer('The report', 'InvalidationConfirmation'), ...errors(404) } },
        },
        '/cache/invalidations': {
          get: {
            operationId: 'listInvalidations',
            summary: 'The latest event per target, newest first, one page at a time',
            parameters: queryParameters(listQuerySchema),
            responses: { 200: answer('One page; `next` is the cursor for `before`', 'InvalidationList'), ...errors(400) },
          },
        },
        '/gateways': { get: { operationId: 'listGateways', summary: 'The live gateways and how far each has applied the invalidation stream', responses: { 200: answer('Live gateways', 'GatewayList') } } },
        '/cache/warm': {
          post: {
            operationId: 'warm',
            summary: 'Have the gateways fetch and store URLs (or a sitemap\'s) ahead of clients, once for the fleet',
            requestBody: { required: true, ...json('WarmCommand') },
            responses: {
              200: { ...answer('Every URL settled and held by every live gateway', 'WarmAnswer'), headers: location },
              202: {
                description: 'Still running after WARM_WAIT_MS: the report so far; with runAsync: the accepted warm',
                content: { 'application/json': { schema: { oneOf: [ref('WarmAnswer'), ref('WarmAccepted')] } } },
                headers: location,
              },
              ...errors(400, 429, 502, 503, 504),
            },
          },
        },
        '/cache/warm/{id}': {
          get: {
            operationId: 'getWarm',
            summary: 'A warm\'s report, with one page of its URLs',
            parameters: [idParam('warm'), ...queryParameters(reportQuerySchema)],
            responses: { 200: answer('The report', 'WarmReport'), ...errors(400, 404) },
          },
        },
        ...serviceEndpointPaths,
      },
      components: {
        schemas: {
          InvalidationCommand: jsonSchema(invalidationCommandSchema, 'input'),
          InvalidationConfirmation: jsonSchema(invalidationConfirmationSchema, 'output'),
          InvalidationAccepted: jsonSchema(invalidationAcceptedSchema, 'output'),
          InvalidationList: jsonSchema(invalidationListSchema, 'output'),
          GatewayList: jsonSchema(gatewayListSchema, 'output'),
          WarmCommand: jsonSchema(warmCommandSchema, 'input'),
          WarmAccepted: jsonSchema(warmAcceptedSchema, 'output'),
          WarmAnswer: jsonSchema(warmAnswerSchema, 'output'),
          WarmReport: jsonSchema(warmReportSchema, 'output'),
          ...errorComponent,
        },
      },
    },
    authRequired,
  );
}
