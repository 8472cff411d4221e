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

  // RFC 9111 §5.2.2.3 (must-understand), §5.2.2.5 / §5.2.2.7 (no-store, private, qualified or
  // not), RFC 9213 §2.2 (a targeted field replaces Cache-Control), RFC 9110 §5.3 (field lines).
  it.each([
    ['repeated Cache-Control lines (#10)', 200, { 'cache-control': ['max-age=60', 'private'] }, 'origin-private'],
    ['a mixed-case No-Store (#10)', 200, { 'cache-control': 'No-Store' }, 'origin-private'],
    ['a qualified private with a comma inside', 200, { 'cache-control': 'private="a, b", max-age=60' }, 'origin-private'],
    ['must-understand with an understood status ignores no-store', 200, { 'cache-control': 'must-understand, no-store, max-age=60' }, undefined],
    ['must-understand with a status not understood', 299, { 'cache-control': 'must-understand, max-age=60' }, 'not-storable-status'],
    ['a targeted field without private overrides Cache-Control private', 200, { 'cache-control': 'private', 'cdn-cache-control': 'max-age=60' }, undefined],
    ['private in a targeted field counts', 200, { 'cache-control': 'public, max-age=60', 'cairn-cache-control': 'private' }, 'origin-private'],
    ['no-store in a targeted field counts', 200, { 'cdn-cache-control': 'no-store' }, 'origin-private'],
    ['an invalid targeted field is ignored', 200, { 'cache-control': 'max-age=60', 'cdn-cache-control': 'NO-STORE' }, undefined],
    ['a listed 500 with explicit freshness (#10)', 500, { 'cache-control': 'max-age=60' }, undefined],
    ['a listed 299 (#10)', 299, {}, undefined],
  ])('%s', (_name, status, headers, reason) => {
    expect(unstorableReason(status, headers, { ...rules, statuses: new Set([200, 299, 500]) })).toBe(reason);
  });

  it('stores another status only when configured, and never 206', () => {
    const withNotFound = { ...rules, statuses: new Set([200, 404, 206]) };
    expect(unstorableReason(404, {}, withNotFound)).toBeUndefined();
    expect(unstorableReason(206, {}, withNotFound)).toBe('not-storable-status');
  });

  it('refuses a Vary on a field the gateway writes itself, even when it is listed or keyed (#10)', () => {
    const listed = { ...rules, keyedHeaders: ['via'], forwardedHeaders: ['x-forwarded-for', 'x-forwarded-proto'] };
    for (const vary of ['X-Forwarded-For', 'x-forwarded-proto', 'Via']) expect(unstorableReason(200, { vary }, listed)).toBe('vary-not-in-key');
  });
});
