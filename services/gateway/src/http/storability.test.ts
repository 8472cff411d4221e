import { describe, expect, it } from 'vitest';
import { unstorableReason } from './storability.js';

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
    [200, { vary: 'accept-encoding' }, 'vary-not-in-key'],
    [200, { vary: '*' }, 'vary-not-in-key'],
  ])('status %i with %j → %s', (status, headers, reason) => {
    expect(unstorableReason(status, headers)).toBe(reason);
  });
});
