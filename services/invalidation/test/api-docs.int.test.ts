/**
 * The invalidation service's API page at /docs and OpenAPI 3.1 document at /docs/json (issue
 * 15): served from the service itself (no network needed), listing every route the service
 * registers with an operationId, readable without credentials while the API asks for them.
 * Times in its answers are ISO strings. Real nats-server and invalidation service.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeMessage, hashPassword, subjects } from '@cairn/shared';
import { eventually, tempDir, type TempDir } from '@cairn/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useInvalidationService } from './invalidation-harness.js';

type OpenApiDocument = {
  openapi: string;
  paths: Record<string, Record<string, { operationId?: string }>>;
  security?: unknown;
  components: { schemas: Record<string, unknown>; securitySchemes?: Record<string, unknown> };
};

/** A GET's status, its body read so the connection is free for the service's close. */
async function statusOf(url: string): Promise<number> {
  const response = await fetch(url);
  await response.arrayBuffer();
  return response.status;
}

const documentOf = async (url: string) => (await (await fetch(`${url}/docs/json`)).json()) as OpenApiDocument;
const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

describe('the invalidation API page', () => {
  const svc = useInvalidationService({ started: true });

  it('serves /docs with every asset it loads from the service itself, so it works offline', async () => {
    const page = await fetch(`${svc.service.url}/docs`);
    expect(page.status).toBe(200);
    const assets = [...(await page.text()).matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] as string);
    expect(assets).toEqual(expect.arrayContaining([expect.stringMatching(/swagger-ui-bundle\.js$/)]));
    for (const asset of assets) {
      expect(asset).not.toMatch(/^(https?:)?\/\//);
      expect(await statusOf(`${svc.service.url}${asset}`), asset).toBe(200);
    }
  });

  it('serves an OpenAPI 3.1 document generated from the contract schemas', async () => {
    const document = await documentOf(svc.service.url);
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.components.schemas)).toEqual(expect.arrayContaining(['InvalidationCommand', 'InvalidationConfirmation', 'GatewayList', 'WarmCommand', 'WarmReport']));
  });

  it('documents every route the service registers, each with an operationId of its own', async () => {
    const document = await documentOf(svc.service.url);
    const routes = svc.service.routes;
    // The list is the server's own: the API's routes and the endpoints every service has.
    expect(routes).toEqual(expect.arrayContaining([{ method: 'POST', url: '/cache/invalidate' }, { method: 'GET', url: '/cache/warm/:id' }, { method: 'GET', url: '/ready' }]));
    for (const { method, url } of routes) {
      const path = url.replace(/:([A-Za-z]+)/g, '{$1}');
      expect(document.paths[path]?.[method.toLowerCase()]?.operationId, `${method} ${url}`).toEqual(expect.any(String));
    }
    const operationIds = Object.values(document.paths).flatMap((operations) => Object.values(operations).map((operation) => operation.operationId));
    expect(new Set(operationIds).size).toBe(operationIds.length);
  });

  it('answers GET /gateways with ISO times: the heartbeat\'s sentAt and when it was heard', async () => {
    const sentAt = new Date().toISOString();
    svc.nc.publish(subjects.gatewayHeartbeats, encodeMessage({ gatewayId: 'g1', appliedSeq: 0, mode: 'normal', sentAt }));
    await eventually(async () => {
      const { gateways } = (await (await fetch(`${svc.service.url}/gateways`)).json()) as { gateways: Array<Record<string, unknown>> };
      expect(gateways).toEqual([{ gatewayId: 'g1', appliedSeq: 0, mode: 'normal', sentAt, lastSeenAt: expect.stringMatching(ISO_TIME) }]);
    });
  });
});

describe('the invalidation API page with AUTH_REQUIRED', () => {
  const svc = useInvalidationService();
  let users: TempDir;
  beforeAll(async () => {
    users = await tempDir('cairn-invalidation-docs-');
    const entries = [{ username: 'viewer', passwordHash: await hashPassword('pw', { N: 1024, r: 8, p: 1 }), roles: ['cache_user'] }];
    writeFileSync(join(users.path, 'users.json'), JSON.stringify({ users: entries }));
  });
  afterAll(async () => {
    await users?.remove();
  });

  it('is readable without credentials while the API asks for them, and offers Basic auth', async () => {
    const { url } = await svc.start({ AUTH_REQUIRED: 'true', USERS_FILE: join(users.path, 'users.json') });
    expect(await statusOf(`${url}/gateways`)).toBe(401);
    expect(await statusOf(`${url}/docs`)).toBe(200);
    expect(await statusOf(`${url}/docs/static/swagger-ui.css`)).toBe(200);
    const document = await documentOf(url);
    expect(document.security).toEqual([{ basicAuth: [] }]);
    expect(document.components.securitySchemes).toMatchObject({ basicAuth: { type: 'http', scheme: 'basic' } });
  });

  it('declares no credentials when access control is off', async () => {
    const document = await documentOf((await svc.start()).url);
    expect(document.security).toBeUndefined();
  });
});
