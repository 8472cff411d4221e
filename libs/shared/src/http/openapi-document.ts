/**
 * What the rules and invalidation services' OpenAPI 3.1 documents share (README, API pages):
 * zod → JSON Schema, the service endpoints every server has, Basic auth, and where the page
 * and document live. Each service writes its own paths; this module serves nothing.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { errorResponseSchema } from '../contracts/rules-api.js';
import type { AccessPolicy } from '../auth/access-hook.js';

/** The interactive page; its document is at `${API_DOCS_PREFIX}/json`. */
export const API_DOCS_PREFIX = '/docs';

/**
 * The page, its assets and the document never ask for credentials: they describe the API and
 * hold no data (every operation they list still asks), and tools fetch them as load
 * balancers probe `/health`. Only reads: nothing under the prefix takes a write.
 */
export function withOpenApiDocs(policy: AccessPolicy): AccessPolicy {
  return (method, path) =>
    (method === 'GET' || method === 'HEAD') && (path === API_DOCS_PREFIX || path.startsWith(`${API_DOCS_PREFIX}/`)) ? 'open' : policy(method, path);
}

/** A contract schema as an OpenAPI 3.1 schema (JSON Schema 2020-12, zod's native target). */
export function openApiSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const generated: Record<string, unknown> = z.toJSONSchema(schema, { io, unrepresentable: 'any' });
  // The dialect is the document's (OpenAPI 3.1), not repeated per component.
  delete generated.$schema;
  return generated;
}

/** `{$ref}` to a component schema. */
export const schemaRef = (name: string) => ({ $ref: `#/components/schemas/${name}` });
/** A JSON body or answer of a component schema. */
export const jsonContent = (name: string) => ({ content: { 'application/json': { schema: schemaRef(name) } } });
/** An answer, with a JSON body of a component schema when named. */
export const openApiAnswer = (description: string, schema?: string) => ({ description, ...(schema === undefined ? {} : jsonContent(schema)) });

const open = { security: [] as unknown[] };
const anyObject = { content: { 'application/json': { schema: { type: 'object' } } } };

/** `/health`, `/ready`, `/metrics` (http/service-endpoints.ts) and the document itself: never behind credentials except `/metrics`. */
export const serviceEndpointPaths = {
  '/health': { get: { operationId: 'getHealth', summary: 'The process is alive', ...open, responses: { 200: { description: 'Alive', ...anyObject } } } },
  '/ready': {
    get: {
      operationId: 'getReadiness',
      summary: 'NATS connected and streams ensured',
      ...open,
      responses: { 200: { description: 'Ready', ...anyObject }, 503: { description: 'Not ready; the body says what is missing', ...anyObject } },
    },
  },
  '/metrics': {
    get: { operationId: 'getMetrics', summary: 'Prometheus metrics', responses: { 200: { description: 'Text exposition format', content: { 'text/plain': { schema: { type: 'string' } } } } } },
  },
  [`${API_DOCS_PREFIX}/json`]: {
    get: { operationId: 'getOpenApiDocument', summary: 'This document (the page at /docs shows it)', ...open, responses: { 200: { description: 'OpenAPI 3.1', ...anyObject } } },
  },
};

/**
 * Basic auth on every operation (an operation's `security: []` opts out); nothing when
 * access control is off, so the page then asks for no credentials.
 */
export function withBasicAuth<D extends { components: Record<string, unknown> }>(document: D, authRequired: boolean): D {
  if (!authRequired) return document;
  return {
    ...document,
    security: [{ basicAuth: [] }],
    components: {
      ...document.components,
      securitySchemes: { basicAuth: { type: 'http', scheme: 'basic', description: 'USERS_FILE credentials: reads need any role, writes cache_admin or super_user' } },
    },
  };
}

/** The `Error` component every 4xx answer names. */
export const errorComponent = { Error: openApiSchema(errorResponseSchema, 'output') };

/** A route as fastify registered it (`/rules/:id`). */
export interface RegisteredRoute {
  method: string;
  url: string;
}

/**
 * Every route registered on `app` from this call on, for the check that the document lists
 * each: fastify's implicit HEADs and routes marked `schema.hide` (swagger-ui's own page and
 * assets) are left out.
 */
export function recordRoutes(app: FastifyInstance): readonly RegisteredRoute[] {
  const routes: RegisteredRoute[] = [];
  app.addHook('onRoute', (route) => {
    if ((route.schema as { hide?: boolean } | undefined)?.hide === true) return;
    for (const method of [route.method].flat()) if (method !== 'HEAD') routes.push({ method, url: route.url });
  });
  return routes;
}
