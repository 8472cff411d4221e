import { describe, expect, it } from 'vitest';
import { unstorableReason } from './storability.js';

const rules = { statuses: new Set([200]), keyedHeaders: ['x-device'], forwardedHeaders: ['user-agent'] };

describe('unstorableReason', () => {
  it.each([
    [200, {}, undefined],
    [200, { 'cache-control': 'public, max-age=60' }, undefined],
    [200, { 'cache-control': 'no-cache' }, undefined],
    [206, {}, 'not-storable-status'],
    [404, {}, 'not-storable-status'],
    [500, {}, 'not-storable-status'],
    [200, { 'set-cookie': 'a=1' }, 'set-cookie'],
    [200, { 'cache-control': 'private' }, 'origin-private'],
    [200, { 'cache-control': 'max-age=60, no-store' }, 'origin-private'],
    [200, { 'cache-control': 'private="x-user"' }, 'origin-private'],
    [200, { 'cache-control': 'x-private-ish' }, undefined],
    [200, { vary: 'X-Device' }, undefined],
    [200, { vary: 'accept-encoding, x-device' }, undefined],
    [200, { vary: 'x-device, user-agent' }, undefined],
    [200, { vary: 'x-device, accept-language' }, 'vary-not-in-key'],
    [200, { vary: ['x-device', 'x-user'] }, 'vary-not-in-key'],
    [200, { vary: '*' }, 'vary-not-in-key'],
  ])('status %i with %j → %s', (status, headers, reason) => {
    expect(unstorableReason(status, headers, rules)).toBe(reason);
  });

  it('stores another status only when configured, and never 206', () => {
    const withNotFound = { ...rules, statuses: new Set([200, 404, 206]) };
    expect(unstorableReason(404, {}, withNotFound)).toBeUndefined();
    expect(unstorableReason(206, {}, withNotFound)).toBe('not-storable-status');
  });
});
