import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { purgeCommand } from './purge.js';

describe('purgeCommand', () => {
  it.each([
    ['page', undefined, {}, { type: 'page' }],
    ['api', 'checkout', {}, { type: 'api', groupCode: 'checkout' }],
    ['group', 'checkout', { soft: true }, { type: 'group', groupCode: 'checkout', mode: 'soft' }],
    ['cacheTag', 'product-42', { async: true }, { type: 'cacheTag', cacheTag: 'product-42', runAsync: true }],
    ['url', '/products/42?color=red', { refresh: true }, { type: 'url', url: '/products/42?color=red', mode: 'refresh' }],
  ])('turns purge %s %s %j into %j', (type, value, options, command) => {
    expect(purgeCommand(type, value, options)).toEqual(command);
  });

  it.each([
    ['tag', 'x', {}, '<type> expected one of'],
    ['cacheTag', undefined, {}, 'missing <value> (the cacheTag)'],
    ['url', 'products', {}, 'url: expected a path'],
    ['page', undefined, { soft: true, refresh: true }, '--soft and --refresh exclude each other'],
  ])('refuses purge %s %s %j with a usage error saying %s', (type, value, options, message) => {
    expect(() => purgeCommand(type, value, options)).toThrow(UsageError);
    expect(() => purgeCommand(type, value, options)).toThrow(message);
  });
});
