import { describe, expect, it } from 'vitest';
import { isGatewayOwned } from './gateway-headers.js';
import { storedFields, updatedFields } from './stored-fields.js';

describe('isGatewayOwned', () => {
  it.each([
    ['x-cairn-cache', false, true],
    ['x-cairn-cache-key', false, true],
    ['x-cairn-anything', false, true],
    ['cache-status', false, true],
    ['x-cairn-synthetic', false, true],
    ['x-cairn-synthetic', true, false],
    ['age', false, false],
    ['x-cairnish', false, false],
    ['content-type', false, false],
  ])('%s (synthetic origin: %s) → %s', (name, synthetic, owned) => {
    expect(isGatewayOwned(name, synthetic)).toBe(owned);
  });
});

describe('storedFields', () => {
  it('keeps what describes the response and drops what a stored response never keeps (#9)', () => {
    const fetched = {
      'content-type': 'text/plain',
      'content-length': '5',
      'cache-control': 'max-age=60',
      etag: '"v1"',
      age: '999999',
      'x-cairn-cache': 'MISS',
      'x-cairn-cache-rule': 'forged',
      'cache-status': 'cairn; hit',
      'set-cookie': ['a=1', 'b=2'],
      'keep-alive': 'timeout=5',
      'proxy-authenticate': 'Basic',
      vary: 'x-device',
    };
    expect(storedFields(fetched, false)).toEqual({ 'content-type': 'text/plain', 'cache-control': 'max-age=60', etag: '"v1"', vary: 'x-device' });
  });

  it('keeps the synthetic origin marker only from the synthetic origin', () => {
    expect(storedFields({ 'x-cairn-synthetic': 'true' }, true)).toEqual({ 'x-cairn-synthetic': 'true' });
    expect(storedFields({ 'x-cairn-synthetic': 'true' }, false)).toEqual({});
  });
});

describe('updatedFields (RFC 9111 §4.3.4, §3.2)', () => {
  const stored = { 'content-type': 'text/plain', 'cache-control': 'max-age=60', etag: '"v1"', 'x-extra': 'old' };

  it.each([
    ['replaces a field the 304 carries', { 'cache-control': 'max-age=120' }, { 'cache-control': 'max-age=120' }],
    ['adds a field the stored response lacked', { expires: 'Thu, 01 Jan 2037 00:00:00 GMT' }, { expires: 'Thu, 01 Jan 2037 00:00:00 GMT' }],
    ['keeps the fields describing the stored body', { 'content-type': 'text/html', 'content-length': '0', 'content-encoding': 'gzip', 'transfer-encoding': 'chunked' }, {}],
    ['never takes the gateway-owned fields or Age', { age: '999999', 'x-cairn-cache': 'HIT', 'cache-status': 'cairn; hit' }, {}],
    ['never takes hop-by-hop fields', { 'keep-alive': 'timeout=5', upgrade: 'h2c' }, {}],
    ['keeps Set-Cookie so the storability check refuses it (#9)', { 'set-cookie': 'sid=1' }, { 'set-cookie': 'sid=1' }],
    ['takes a new Vary (#9)', { vary: '*' }, { vary: '*' }],
  ])('%s', (_name, notModified, changes) => {
    expect(updatedFields(stored, notModified, false)).toEqual({ ...stored, ...changes });
  });

  it('leaves the stored fields untouched', () => {
    const before = { ...stored };
    updatedFields(stored, { 'cache-control': 'no-store' }, false);
    expect(stored).toEqual(before);
  });
});
