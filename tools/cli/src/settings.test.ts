import { describe, expect, it } from 'vitest';
import { UsageError } from './errors.js';
import { defaultUrls, resolveSettings } from './settings.js';

describe('resolveSettings', () => {
  it('defaults to the ports of npm start', () => {
    expect(resolveSettings({}, {})).toMatchObject({ rulesUrl: defaultUrls.rules, invalidationUrl: defaultUrls.invalidation, natsUrl: defaultUrls.nats, credentials: undefined, json: false });
  });

  it('prefers a flag to the environment and drops a trailing slash', () => {
    const settings = resolveSettings({ 'rules-url': 'http://flag:1/' }, { CAIRN_RULES_URL: 'http://env:2', CAIRN_INVALIDATION_URL: 'http://env:3' });
    expect(settings).toMatchObject({ rulesUrl: 'http://flag:1', invalidationUrl: 'http://env:3' });
  });

  it('takes the user from CAIRN_USER and the password from CAIRN_PASSWORD', () => {
    expect(resolveSettings({}, { CAIRN_USER: 'ops', CAIRN_PASSWORD: 's3cret' }).credentials).toEqual({ user: 'ops', password: 's3cret' });
  });

  it('splits --user name:password as curl does', () => {
    expect(resolveSettings({ user: 'ops:a:b' }, {}).credentials).toEqual({ user: 'ops', password: 'a:b' });
  });

  it.each([
    [{}, { CAIRN_USER: 'ops' }, 'CAIRN_PASSWORD'],
    [{ 'rules-url': 'localhost:8081' }, {}, '--rules-url / CAIRN_RULES_URL'],
    [{}, { CAIRN_INVALIDATION_URL: 'ftp://x' }, '--invalidation-url / CAIRN_INVALIDATION_URL'],
  ])('refuses options %j and env %j naming %s', (options, env, name) => {
    expect(() => resolveSettings(options, env)).toThrow(UsageError);
    expect(() => resolveSettings(options, env)).toThrow(name);
  });
});
