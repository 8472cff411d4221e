/**
 * Access control on the rules and invalidation REST (#11): reads need any role, writes
 * cache_admin or super_user, `/health` and `/ready` never ask; rule and invalidation events
 * record who asked. Real users file, services, gateway and nats-server.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hashPassword } from '@cairn/shared';
import { tempDir, type TempDir } from '@cairn/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startSystem, type System } from './harness.js';

const cheap = { N: 1024, r: 8, p: 1 };
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const credentials: Record<string, string> = {
  viewer: basic('viewer', 'view-pw'),
  admin: basic('admin', 'admin-pw'),
  root: basic('root', 'root-pw'),
  wrong: basic('admin', 'not-it'),
  unknown: basic('mallory', 'admin-pw'),
  malformed: 'Basic ###',
};
const rule = { pathPatterns: ['^/.*$'], ttl: '1h' };

let system: System;
let users: TempDir;

beforeAll(async () => {
  users = await tempDir('cairn-users-');
  const file = join(users.path, 'users.json');
  const entries = [
    { username: 'viewer', passwordHash: await hashPassword('view-pw', cheap), roles: ['cache_user'] },
    { username: 'admin', passwordHash: await hashPassword('admin-pw', cheap), roles: ['cache_admin'] },
    { username: 'root', passwordHash: await hashPassword('root-pw', cheap), roles: ['super_user'] },
  ];
  writeFileSync(file, JSON.stringify({ users: entries }));
  system = await startSystem({}, { AUTH_REQUIRED: 'true', USERS_FILE: file });
  const seeded = await call(system.rules.url, 'PUT', '/rules/seed', rule, { authorization: credentials.admin! });
  expect(seeded.status).toBe(204);
});

afterAll(async () => {
  await system?.close();
  await users?.remove();
});

type Surface = 'rules GET' | 'rules PUT' | 'rules test' | 'invalidation GET' | 'invalidation POST';

async function attempt(surface: Surface, who: string | undefined): Promise<Response> {
  const headers: Record<string, string> = who === undefined ? {} : { authorization: credentials[who]! };
  switch (surface) {
    case 'rules GET':
      return call(system.rules.url, 'GET', '/rules/seed', undefined, headers);
    case 'rules PUT':
      return call(system.rules.url, 'PUT', `/rules/r-${who ?? 'anon'}`, rule, headers);
    case 'rules test':
      return call(system.rules.url, 'POST', '/rules/test', { url: '/x' }, headers);
    case 'invalidation GET':
      return call(system.invalidation.url, 'GET', '/cache/invalidations', undefined, headers);
    case 'invalidation POST':
      return call(system.invalidation.url, 'POST', '/cache/invalidate', { type: 'url', url: '/x', runAsync: true }, headers);
  }
}

describe('access control on the rules and invalidation REST', () => {
  it.each<[Surface, string | undefined, number]>([
    ['rules GET', undefined, 401],
    ['rules GET', 'viewer', 200],
    ['rules GET', 'admin', 200],
    ['rules GET', 'root', 200],
    ['rules PUT', undefined, 401],
    ['rules PUT', 'viewer', 403],
    ['rules PUT', 'admin', 204],
    ['rules PUT', 'root', 204],
    ['rules PUT', 'wrong', 401],
    ['rules PUT', 'unknown', 401],
    ['rules PUT', 'malformed', 401],
    ['invalidation GET', undefined, 401],
    ['invalidation GET', 'viewer', 200],
    ['invalidation POST', undefined, 401],
    ['invalidation POST', 'viewer', 403],
    ['invalidation POST', 'admin', 202],
    ['invalidation POST', 'root', 202],
  ])('answers %s from %s with %i (#11)', async (surface, who, status) => {
    const response = await attempt(surface, who);
    const body = await response.text();
    expect(response.status, body).toBe(status);
    if (status === 401) {
      expect(response.headers.get('www-authenticate')).toBe('Basic realm="cairn"');
      expect(JSON.parse(body)).toEqual({ error: 'CAIRN_UNAUTHORIZED', message: 'valid credentials are required' });
    }
  });

  it('counts POST /rules/test as a read: a cache_user may explain a request (#11)', async () => {
    const response = await attempt('rules test', 'viewer');
    expect(response.status).not.toBe(401);
    expect(response.status).not.toBe(403);
  });

  it.each([
    ['rules', () => system.rules.url],
    ['invalidation', () => system.invalidation.url],
  ])('serves /health and /ready of the %s service without credentials (#11)', async (_name, base) => {
    for (const path of ['/health', '/ready']) {
      const response = await call(base(), 'GET', path);
      expect(response.status).toBe(200);
    }
  });

  it('records who wrote each revision in the rule history (#11)', async () => {
    expect((await call(system.rules.url, 'PUT', '/rules/authored', rule, { authorization: credentials.admin! })).status).toBe(204);
    expect((await call(system.rules.url, 'PUT', '/rules/authored', { ...rule, ttl: '2h' }, { authorization: credentials.root! })).status).toBe(204);
    const history = await call(system.rules.url, 'GET', '/rules/authored/history', undefined, { authorization: credentials.viewer! });
    const body = (await history.json()) as { revisions: Array<{ author?: string; rule?: { ttl: string } }> };
    expect(body.revisions.map((r) => [r.author, r.rule?.ttl])).toEqual([
      ['root', '2h'],
      ['admin', '1h'],
    ]);
  });

  it('records who asked for an invalidation on its event (#11)', async () => {
    const posted = await call(system.invalidation.url, 'POST', '/cache/invalidate', { type: 'url', url: '/by-root', runAsync: true }, { authorization: credentials.root! });
    expect(posted.status).toBe(202);
    const listed = await call(system.invalidation.url, 'GET', '/cache/invalidations?kind=url', undefined, { authorization: credentials.viewer! });
    const { events } = (await listed.json()) as { events: Array<{ key?: string; requestedBy?: string }> };
    expect(events.find((e) => e.key?.includes('/by-root'))?.requestedBy).toBe('root');
  });
});
