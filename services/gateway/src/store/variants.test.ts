import { describe, expect, it } from 'vitest';
import type { EntryMeta } from './cache-entry.js';
import { nextVariants, variantFields, variantKey } from './variants.js';

const marker = (varyOn: string[], variants: string[]) => ({ varyOn, variants }) as unknown as EntryMeta;

describe('variantFields', () => {
  it('keeps the forwarded fields a Vary names, sorted', () => {
    expect(variantFields('X-Trace, User-Agent', [], ['x-trace', 'user-agent'])).toEqual(['user-agent', 'x-trace']);
  });

  it('leaves out keyed fields and accept-encoding, which the key and every fill already fix', () => {
    expect(variantFields('x-device, accept-encoding, user-agent', ['x-device'], ['user-agent', 'x-device'])).toEqual(['user-agent']);
  });

  it('is empty when no forwarded field is named', () => {
    expect(variantFields('x-device', ['x-device'], [])).toEqual([]);
  });
});

describe('nextVariants', () => {
  it('starts a list with the first variant', () => {
    expect(nextVariants(undefined, ['user-agent'], 'a', 4)).toEqual({ ids: ['a'], evicted: [] });
  });

  it('moves a stored again variant to the most recent place', () => {
    expect(nextVariants(marker(['user-agent'], ['a', 'b']), ['user-agent'], 'a', 4)).toEqual({ ids: ['b', 'a'], evicted: [] });
  });

  it('evicts the least recently stored beyond the bound', () => {
    expect(nextVariants(marker(['user-agent'], ['a', 'b', 'c']), ['user-agent'], 'd', 3)).toEqual({ ids: ['b', 'c', 'd'], evicted: ['a'] });
  });

  it('replaces a list kept for other Vary fields, evicting all of it', () => {
    expect(nextVariants(marker(['accept'], ['a', 'b']), ['user-agent'], 'a', 4)).toEqual({ ids: ['a'], evicted: ['b'] });
  });
});

describe('variantKey', () => {
  it('cannot be a request key: an unescaped | only starts a key part the key builder writes', () => {
    expect(variantKey('page:/a', 'x')).toBe('page:/a|v:x');
  });
});
