import { describe, expect, it } from 'vitest';
import type { Route } from '../context.js';
import { fillTarget, forNormalizedPath, replacePath } from './upstream-target.js';

const route = (replacement?: { search: string; replace: string }) => ({ replacement, fillReplacement: forNormalizedPath(replacement) }) as unknown as Route;

describe('fillTarget', () => {
  it.each([
    ['/p', '', undefined, '/p'],
    ['/p', 'a=1&b=2', undefined, '/p?a=1&b=2'],
    ['/api/items', 'a=1', { search: '/api/', replace: '/v2/' }, '/v2/items?a=1'],
    ['/api/items', '', { search: '/API/', replace: '/v2/' }, '/v2/items'],
    ['/p', 'u=/api/', { search: '/api/', replace: '/v2/' }, '/p?u=/api/'],
    ['/api/x', '', { search: '/api/', replace: '' }, '/x'],
  ] as const)('%s with keyed query %j and replacement %j → %s', (path, query, replacement, expected) => {
    expect(fillTarget(path, query, route(replacement))).toBe(expected);
  });
});

describe('replacePath', () => {
  it('applies the replacement to the target a pass sends, as received', () => {
    expect(replacePath('/api/Items?b=2&a=1', route({ search: '/api/', replace: '/v2/' }))).toBe('/v2/Items?b=2&a=1');
  });
});
