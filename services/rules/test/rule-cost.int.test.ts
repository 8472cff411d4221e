import { describe, expect, it } from 'vitest';
import { useRulesService } from './rules-harness.js';

describe('rule cost bounds on the rules service', () => {
  const { call } = useRulesService();

  it.each([
    ['a pattern with a counted repetition over 100', ['a.{0,990}b'], 'pathPatterns[0]', /repetition counts above 100/],
    ['patterns whose automata together cost too much per request', Array.from({ length: 20 }, (_, i) => `a${i}.{0,99}b`), 'pathPatterns', /too costly/],
  ])('refuses %s with 400 naming the field (#9)', async (_name, pathPatterns, field, message) => {
    const response = await call('PUT', '/rules/costly', { pathPatterns, ttl: '1h' });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { field: string; message: string };
    expect(body.field).toBe(field);
    expect(body.message).toMatch(message);
    expect((await call('GET', '/rules/costly')).status).toBe(404);
  });
});
