import { describe, expect, it } from 'vitest';
import { cacheConfigurationPath, cacheConfigurationSchema, cacheOfRequest } from './cache-configuration.js';

const pageOnly = cacheConfigurationSchema.parse({ defaultOrigin: 'http://origin', defaultCacheKey: {} });
const byPrefix = cacheConfigurationSchema.parse({ defaultOrigin: 'http://origin', defaultCacheKey: {}, apiOrigin: 'http://api', apiPathPrefix: '/API/', apiCacheKey: {} });
const byHeader = cacheConfigurationSchema.parse({ defaultOrigin: 'http://origin', defaultCacheKey: {}, apiOrigin: 'http://api', apiHeader: { key: 'X-Api', value: 'yes' }, apiCacheKey: {} });

describe('cacheOfRequest', () => {
  it.each([
    ['a configuration without apiOrigin sends everything to the page cache', pageOnly, '/api/x', {}, 'page'],
    ['a normalized path under apiPathPrefix is API traffic, whatever its case in the file', byPrefix, '/api/items', {}, 'api'],
    ['a path outside apiPathPrefix is page traffic', byPrefix, '/apiary', {}, 'page'],
    ['the apiHeader with its value is API traffic', byHeader, '/x', { 'x-api': 'yes' }, 'api'],
    ['the apiHeader with another value is page traffic', byHeader, '/x', { 'x-api': 'no' }, 'page'],
  ])('%s', (_name, config, path, headers, cache) => {
    expect(cacheOfRequest(config, path, headers)).toBe(cache);
  });
});

describe('cacheConfigurationPath', () => {
  it('names cacheConfiguration.<ENVIRONMENT>.json in CONFIG_DIR', () => {
    expect(cacheConfigurationPath({ CONFIG_DIR: '/etc/cairn', ENVIRONMENT: 'prod' })).toBe('/etc/cairn/cacheConfiguration.prod.json');
  });
});
