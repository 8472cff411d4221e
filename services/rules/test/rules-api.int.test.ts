import { describe, expect, it } from 'vitest';
import { useRulesService } from './rules-harness.js';

const rule = { pathPatterns: ['^/products/.*$'], ttl: '1h', description: 'products' };

describe('rules REST API', () => {
  const harness = useRulesService();
  const call = harness.call;

  it('stores a PUT rule and returns it with its revision as ETag', async () => {
    const put = await call('PUT', '/rules/products', rule);
    expect(put.status).toBe(204);
    const get = await call('GET', '/rules/products');
    expect(get.status).toBe(200);
    expect(get.headers.get('etag')).toBe(put.headers.get('etag'));
    expect(await get.json()).toEqual({ id: 'products', ...rule });
  });

  it('answers 404 for a rule that does not exist', async () => {
    const response = await call('GET', '/rules/nope');
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: 'CAIRN_NOT_FOUND' });
  });

  it('creates a rule with a generated id on POST', async () => {
    const response = await call('POST', '/rules', rule);
    expect(response.status).toBe(201);
    const created = (await response.json()) as { id: string };
    expect(created.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.headers.get('location')).toBe(`/rules/${created.id}`);
    expect((await call('GET', `/rules/${created.id}`)).status).toBe(200);
  });

  it('refuses with 409 a POST whose id already exists', async () => {
    expect((await call('POST', '/rules', { ...rule, id: 'dup' })).status).toBe(201);
    const again = await call('POST', '/rules', { ...rule, id: 'dup' });
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ error: 'CAIRN_ALREADY_EXISTS' });
  });

  it('allows a POST of an id whose rule was deleted', async () => {
    await call('PUT', '/rules/again', rule);
    expect((await call('DELETE', '/rules/again')).status).toBe(204);
    expect((await call('POST', '/rules', { ...rule, id: 'again' })).status).toBe(201);
  });

  it('refuses with 412 a PUT whose If-Match is not the current revision', async () => {
    const first = await call('PUT', '/rules/cas', rule);
    const etag = first.headers.get('etag') as string;
    expect((await call('PUT', '/rules/cas', { ...rule, ttl: '2h' }, { 'if-match': etag })).status).toBe(204);
    const stale = await call('PUT', '/rules/cas', { ...rule, ttl: '3h' }, { 'if-match': etag });
    expect(stale.status).toBe(412);
    expect(await stale.json()).toMatchObject({ error: 'CAIRN_RULE_REVISION_CONFLICT' });
    expect(((await (await call('GET', '/rules/cas')).json()) as { ttl: string }).ttl).toBe('2h');
  });

  it.each([
    [{ ...rule, ttl: '5q' }, 'ttl'],
    [{ ...rule, tll: '1h' }, 'tll'],
    [{ ...rule, pathPatterns: ['^/ok$', '(unclosed'] }, 'pathPatterns[1]'],
    [{ ...rule, pathPatterns: ['^/ok$', '^/(a)\\1$'] }, 'pathPatterns[1]'],
    [{ ...rule, additionalMatchCriteria: [{ additionalMatchType: 'header', additionalMatchKey: 'x' }] }, 'additionalMatchCriteria[0].additionalMatchOperator'],
    [{ ...rule, priority: 'high' }, 'priority'],
    [{ ...rule, staleWhileRevalidate: '1 minute' }, 'staleWhileRevalidate'],
    [{ ...rule, additionalMatchCriteria: [{ additionalMatchType: 'header', additionalMatchOperator: 'like', additionalMatchKey: 'x' }] }, 'additionalMatchCriteria[0].additionalMatchOperator'],
  ])('answers 400 naming the field for %j', async (body, field) => {
    const response = await call('PUT', '/rules/bad', body);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'CAIRN_VALIDATION_FAILED', field });
  });

  it('answers 400 for a rule id that cannot be a subject token', async () => {
    const response = await call('PUT', '/rules/a.b', rule);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ field: 'id' });
  });

  it('accepts a PUT body that repeats its own id and refuses one naming another', async () => {
    expect((await call('PUT', '/rules/same', { ...rule, id: 'same' })).status).toBe(204);
    const other = await call('PUT', '/rules/same', { ...rule, id: 'other' });
    expect(other.status).toBe(400);
    expect(await other.json()).toMatchObject({ field: 'id' });
  });

  it('answers 400 for a body that is not JSON', async () => {
    const response = await call('PUT', '/rules/x', '{nope');
    expect(response.status).toBe(400);
  });

  it('deletes with a tombstone: the rule is gone from get and list', async () => {
    await call('PUT', '/rules/a', rule);
    await call('PUT', '/rules/b', rule);
    expect((await call('DELETE', '/rules/a')).status).toBe(204);
    expect((await call('GET', '/rules/a')).status).toBe(404);
    const list = (await (await call('GET', '/rules')).json()) as Array<{ id: string }>;
    expect(list.map((r) => r.id)).toEqual(['b']);
    expect((await call('DELETE', '/rules/a')).status).toBe(404);
  });

  it('serves the compatibility aliases /cache/ttlConfig', async () => {
    expect((await call('PUT', '/cache/ttlConfig/legacy', rule)).status).toBe(204);
    expect((await call('GET', '/rules/legacy')).status).toBe(200);
    const created = await call('POST', '/cache/ttlConfig', rule);
    expect(created.status).toBe(201);
  });

  it('keeps rules in the stream only: a new service instance sees them', async () => {
    await call('PUT', '/rules/kept', rule);
    await harness.restart();
    expect((await call('GET', '/rules/kept')).status).toBe(200);
  });

  it('reports ready while connected to NATS', async () => {
    expect((await call('GET', '/ready')).status).toBe(200);
    expect((await call('GET', '/health')).status).toBe(200);
    expect(await (await call('GET', '/metrics')).text()).toMatch(/cairn_rules_writes_total/);
  });
});
