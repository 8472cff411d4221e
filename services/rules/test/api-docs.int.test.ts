/**
 * The API page at /docs and its OpenAPI document at /docs/json (issue 15): served from the
 * service itself (no network needed), listing every route the service registers with an
 * operationId, and readable without credentials while the API still asks for them.
 * Real nats-server and rules service.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger, hashPassword } from '@cairn/shared';
import { startNatsServer, tempDir } from '@cairn/testing';
import { describe, expect, it } from 'vitest';
import { loadRulesConfig } from '../src/config.js';
import { startRulesService } from '../src/server.js';
import { useRulesService } from './rules-harness.js';

type OpenApiDocument = { paths: Record<string, Record<string, { operationId?: string }>>; security?: unknown; components: { securitySchemes?: Record<string, unknown> } };

/** A GET's status, its body read so the connection is free for the service's close. */
async function statusOf(url: string): Promise<number> {
  const response = await fetch(url);
  await response.arrayBuffer();
  return response.status;
}

/** The `src` and `href` of the page's scripts, stylesheets and icons. */
const assetsOf = (html: string): string[] => [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] as string);

describe('the API page', () => {
  const h = useRulesService();
  const call = h.call;

  it('serves /docs with every asset it loads from the service itself, so it works offline', async () => {
    const page = await call('GET', '/docs');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const assets = assetsOf(await page.text());
    expect(assets).toEqual(expect.arrayContaining([expect.stringMatching(/swagger-ui-bundle\.js$/), expect.stringMatching(/swagger-ui\.css$/)]));
    for (const asset of assets) {
      expect(asset).not.toMatch(/^(https?:)?\/\//);
      const response = await call('GET', asset);
      await response.arrayBuffer();
      expect(response.status, asset).toBe(200);
    }
  });

  it('documents every route the service registers, each with an operationId of its own', async () => {
    const document = (await (await call('GET', '/docs/json')).json()) as OpenApiDocument;
    const routes = h.service.routes;
    // The list is the server's own: the API's routes and the endpoints every service has.
    expect(routes).toEqual(expect.arrayContaining([{ method: 'GET', url: '/rules/:id' }, { method: 'PUT', url: '/cache/ttlConfig/:id' }, { method: 'GET', url: '/health' }]));
    for (const { method, url } of routes) {
      const path = url.replace(/:([A-Za-z]+)/g, '{$1}');
      expect(document.paths[path]?.[method.toLowerCase()]?.operationId, `${method} ${url}`).toEqual(expect.any(String));
    }
    const operationIds = Object.values(document.paths).flatMap((operations) => Object.values(operations).map((operation) => operation.operationId));
    expect(new Set(operationIds).size).toBe(operationIds.length);
  });

  it('declares no credentials when access control is off', async () => {
    const document = (await (await call('GET', '/docs/json')).json()) as OpenApiDocument;
    expect(document.security).toBeUndefined();
    expect(document.components.securitySchemes).toBeUndefined();
  });
});

describe('the API page with AUTH_REQUIRED', () => {
  it('is readable without credentials while the API asks for them, and offers Basic auth', async () => {
    const nats = await startNatsServer();
    const dir = await tempDir('cairn-rules-docs-');
    try {
      const usersFile = join(dir.path, 'users.json');
      writeFileSync(usersFile, JSON.stringify({ users: [{ username: 'viewer', passwordHash: await hashPassword('pw', { N: 1024, r: 8, p: 1 }), roles: ['cache_user'] }] }));
      const service = await startRulesService(loadRulesConfig({ NATS_URL: nats.url, AUTH_REQUIRED: 'true', USERS_FILE: usersFile, HOST: '127.0.0.1', PORT: '0' }), createLogger('rules', 'silent'));
      try {
        expect(await statusOf(`${service.url}/rules`)).toBe(401);
        expect(await statusOf(`${service.url}/docs`)).toBe(200);
        expect(await statusOf(`${service.url}/docs/static/swagger-ui-bundle.js`)).toBe(200);
        const document = await fetch(`${service.url}/docs/json`);
        expect(document.status).toBe(200);
        const body = (await document.json()) as OpenApiDocument;
        expect(body.security).toEqual([{ basicAuth: [] }]);
        expect(body.components.securitySchemes).toMatchObject({ basicAuth: { type: 'http', scheme: 'basic' } });
      } finally {
        await service.close();
      }
    } finally {
      await nats.stop();
      await dir.remove();
    }
  });
});
