import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import { natsAuthOptions } from './connection-options.js';

const dir = mkdtempSync(join(tmpdir(), 'cairn-nats-options-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const ca = file('ca.pem', 'CA PEM');
const cert = file('cert.pem', 'CERT PEM');
const key = file('key.pem', 'KEY PEM');
const missing = join(dir, 'absent.pem');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('natsAuthOptions', () => {
  it('connects anonymously without TLS when nothing is set', () => {
    expect(natsAuthOptions({})).toEqual({ inboxPrefix: '_INBOX' });
  });

  it('passes a user and password, and reads the TLS files the variables name (#11)', () => {
    expect(natsAuthOptions({ NATS_USER: 'gateway', NATS_PASS: 'secret', NATS_TLS_CA: ca, NATS_TLS_CERT: cert, NATS_TLS_KEY: key })).toEqual({
      user: 'gateway',
      pass: 'secret',
      tls: { ca: 'CA PEM', cert: 'CERT PEM', key: 'KEY PEM' },
      inboxPrefix: '_INBOX_gateway',
    });
    expect(natsAuthOptions({ NATS_TLS_CA: ca })).toEqual({ tls: { ca: 'CA PEM' }, inboxPrefix: '_INBOX' });
  });

  it('takes replies on the user\'s own inbox prefix unless NATS_INBOX_PREFIX names one (#11)', () => {
    expect(natsAuthOptions({ NATS_USER: 'rules', NATS_PASS: 'p' }).inboxPrefix).toBe('_INBOX_rules');
    expect(natsAuthOptions({ NATS_USER: 'a.b', NATS_PASS: 'p' }).inboxPrefix).toBe('_INBOX');
    expect(natsAuthOptions({ NATS_USER: 'rules', NATS_PASS: 'p', NATS_INBOX_PREFIX: '_INBOX.rules' }).inboxPrefix).toBe('_INBOX.rules');
  });

  it.each([
    [{ NATS_TLS_CERT: cert }, 'environment: NATS_TLS_KEY: required when NATS_TLS_CERT is set'],
    [{ NATS_TLS_KEY: key }, 'environment: NATS_TLS_CERT: required when NATS_TLS_KEY is set'],
    [{ NATS_TLS_CA: missing }, `environment: NATS_TLS_CA: cannot read ${missing}`],
    [{ NATS_TLS_CERT: missing, NATS_TLS_KEY: key }, `environment: NATS_TLS_CERT: cannot read ${missing}`],
    [{ NATS_TLS_CERT: cert, NATS_TLS_KEY: missing }, `environment: NATS_TLS_KEY: cannot read ${missing}`],
    [{ NATS_CREDS: missing }, `environment: NATS_CREDS: cannot read ${missing}`],
    [{ NATS_PASS: 'secret' }, 'environment: NATS_USER: required when NATS_PASS is set'],
    [{ NATS_INBOX_PREFIX: '_INBOX.>' }, 'environment: NATS_INBOX_PREFIX: expected subject tokens'],
    [{ NATS_USER: 'gateway', NATS_CREDS: missing }, 'environment: NATS_CREDS: set either NATS_CREDS or NATS_USER/NATS_PASS, not both'],
  ])('stops on %j with one line naming the variable (#11)', (settings, message) => {
    expect(() => natsAuthOptions(settings)).toThrow(ConfigError);
    expect(() => natsAuthOptions(settings)).toThrow(message);
    let line = '';
    try {
      natsAuthOptions(settings);
    } catch (err) {
      line = (err as Error).message;
    }
    expect(line.split('\n')).toHaveLength(1);
  });
});
