import { streamNames } from '@cairn/shared';
import { connect } from 'nats';
import { describe, expect, it } from 'vitest';
import { useRulesService } from './rules-harness.js';

const rule = { pathPatterns: ['^/products/.*$'], ttl: '1h' };

describe('rule history', () => {
  const { call } = useRulesService();

  it('lists every retained revision of a rule, newest first, including its delete', async () => {
    await call('PUT', '/rules/h', rule);
    await call('PUT', '/rules/h', { ...rule, ttl: '2h' });
    await call('DELETE', '/rules/h');
    const response = await call('GET', '/rules/h/history');
    expect(response.status).toBe(200);
    const history = (await response.json()) as { id: string; revisions: Array<{ op: string; revision: number; writtenAt: string; rule?: { ttl: string } }> };
    expect(history.id).toBe('h');
    expect(history.revisions.map((r) => [r.op, r.rule?.ttl])).toEqual([
      ['delete', undefined],
      ['upsert', '2h'],
      ['upsert', '1h'],
    ]);
    expect(history.revisions[0]?.revision).toBeGreaterThan(history.revisions[1]?.revision as number);
    expect(Date.parse(history.revisions[0]?.writtenAt as string)).not.toBeNaN();
  });

  it('answers 404 for the history of a rule that never existed', async () => {
    expect((await call('GET', '/rules/never/history')).status).toBe(404);
  });
});

describe('POST /rules/test', () => {
  const { call } = useRulesService();
  const mobile = {
    pathPatterns: ['^/products/.*$'],
    ttl: '5m',
    additionalMatchCriteria: [{ additionalMatchType: 'header', additionalMatchOperator: 'equals', additionalMatchKey: 'X-Device', additionalMatchValue: 'mobile' }],
  };

  const seed = async () => {
    await call('PUT', '/rules/all', { pathPatterns: ['^/.*$'], ttl: '1m' });
    await call('PUT', '/rules/products', { ...rule, staleIfError: '1d', groupCode: 'catalog' });
    await call('PUT', '/rules/products-mobile', mobile);
  };

  it('names the matching rule, its TTL, the normalized path and the cache key', async () => {
    await seed();
    const response = await call('POST', '/rules/test', {
      url: '/Products/./Shoes/?color=red&utm=x',
      cacheKey: { includeQueryParams: ['color'] },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      normalizedPath: '/products/shoes',
      cacheKey: 'page:/products/shoes/?color=red',
      match: { ruleId: 'products', pattern: '^/products/.*$', ttl: '1h', ttlSeconds: 3600, cacheable: true, priority: 0, groupCode: 'catalog', staleIfError: '1d' },
    });
  });

  it('explains why the other rules did not win', async () => {
    await seed();
    const result = (await (await call('POST', '/rules/test', { url: 'https://shop.example/products/shoes' })).json()) as {
      candidates: Array<{ ruleId: string; verdict: string; detail?: string }>;
    };
    expect(result.candidates.map(({ ruleId, verdict, detail }) => ({ ruleId, verdict, ...(detail ? { detail } : {}) }))).toEqual([
      { ruleId: 'products-mobile', verdict: 'conditions not met', detail: 'header x-device equals ["mobile"] (observed: absent)' },
      { ruleId: 'products', verdict: 'matched' },
      { ruleId: 'all', verdict: 'outranked' },
    ]);
  });

  it('evaluates conditions against the headers given', async () => {
    await seed();
    const result = (await (await call('POST', '/rules/test', { url: '/products/1', headers: { 'X-Device': 'mobile' } })).json()) as { match: { ruleId: string } };
    expect(result.match.ruleId).toBe('products-mobile');
  });

  it('answers match null when no rule matches', async () => {
    await call('PUT', '/rules/products', rule);
    expect(await (await call('POST', '/rules/test', { url: '/about' })).json()).toMatchObject({ match: null, normalizedPath: '/about' });
  });

  it('answers 400 naming the field for a url that is not a path or http URL', async () => {
    const response = await call('POST', '/rules/test', { url: 'ftp://x/y' });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ field: 'url' });
  });
});

describe('export and import', () => {
  const { call } = useRulesService();
  const exported = async () => ((await (await call('GET', '/rules/export')).json()) as { rules: Array<{ id: string }> }).rules;
  const importRules = async (rules: unknown[]) => {
    const response = await call('POST', '/rules/import', { rules });
    expect(response.status).toBe(200);
    return (await response.json()) as { results: Array<{ index: number; id?: string; status: string; field?: string }>; summary: Record<string, number> };
  };

  it('exports every live rule in a form that imports unchanged', async () => {
    await call('PUT', '/rules/a', rule);
    await call('PUT', '/rules/b', { ...rule, ttl: '2h', priority: 3 });
    const rules = await exported();
    expect(rules.map((r) => r.id)).toEqual(['a', 'b']);
    expect((await importRules(rules)).summary).toEqual({ created: 0, updated: 0, unchanged: 2, invalid: 0, conflict: 0 });
  });

  it('imports its own export as is, exportedAt included, and recreates a rule deleted since (#15)', async () => {
    await call('PUT', '/rules/a', rule);
    await call('PUT', '/rules/b', { ...rule, ttl: '2h' });
    const exportText = await (await call('GET', '/rules/export')).text();
    const exportedB = (JSON.parse(exportText) as { rules: Array<{ id: string }> }).rules.find((r) => r.id === 'b');
    expect((JSON.parse(exportText) as { exportedAt: string }).exportedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    await call('DELETE', '/rules/b');
    const response = await call('POST', '/rules/import', exportText);
    expect(response.status).toBe(200);
    expect(((await response.json()) as { summary: unknown }).summary).toEqual({ created: 1, updated: 0, unchanged: 1, invalid: 0, conflict: 0 });
    expect(await (await call('GET', '/rules/b')).json()).toEqual(exportedB);
  });

  it('creates, updates and reports invalid rules one by one, and a re-run changes nothing', async () => {
    await call('PUT', '/rules/a', rule);
    const batch = [
      { id: 'a', ...rule, ttl: '3h' },
      { id: 'new', ...rule },
      { id: 'bad', ...rule, pathPatterns: ['^/(?=x)'] },
    ];
    const first = await importRules(batch);
    expect(first.results.map(({ id, status, field }) => ({ id, status, ...(field ? { field } : {}) }))).toEqual([
      { id: 'a', status: 'updated' },
      { id: 'new', status: 'created' },
      { id: 'bad', status: 'invalid', field: 'pathPatterns[0]' },
    ]);
    const historyLength = async () => ((await (await call('GET', '/rules/a/history')).json()) as { revisions: unknown[] }).revisions.length;
    const before = await historyLength();
    expect((await importRules(batch)).summary).toEqual({ created: 0, updated: 0, unchanged: 2, invalid: 1, conflict: 0 });
    expect(await historyLength()).toBe(before);
  });

  it('answers 400 when the body has no rules array', async () => {
    const response = await call('POST', '/rules/import', [{ id: 'x' }]);
    expect(response.status).toBe(400);
  });
});

describe('OpenAPI document', () => {
  const { call } = useRulesService();

  it('serves an OpenAPI 3.1 document generated from the contract schemas', async () => {
    const response = await call('GET', '/docs/json');
    expect(response.status).toBe(200);
    const document = (await response.json()) as {
      openapi: string;
      paths: Record<string, unknown>;
      components: { schemas: Record<string, { properties?: Record<string, unknown>; required?: string[] }> };
    };
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/rules', '/rules/{id}', '/rules/{id}/history', '/rules/test', '/rules/export', '/rules/import']));
    const input = document.components.schemas.RuleInput;
    expect(Object.keys(input?.properties ?? {})).toEqual(expect.arrayContaining(['pathPatterns', 'ttl', 'priority', 'staleWhileRevalidate', 'additionalMatchCriteria']));
    expect(input?.required).toEqual(expect.arrayContaining(['pathPatterns', 'ttl']));
  });
});

describe('POST /rules/test on a purged rules stream', () => {
  const h = useRulesService();

  it('answers at once after a restart on a stream whose messages were purged (#9)', async () => {
    await h.call('PUT', '/rules/gone', rule);
    const nc = await connect({ servers: h.nats.url });
    await (await nc.jetstreamManager()).streams.purge(streamNames.rules);
    await nc.close();
    await h.restart();
    const response = await h.call('POST', '/rules/test', { url: '/products/1' });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { match: unknown }).match).toBeNull();
  });
});
