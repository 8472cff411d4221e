/**
 * NATS connection security (README, NATS permissions): a service reaches a TLS-only
 * nats-server running the shipped permissions with NATS_TLS_CA/CERT/KEY, and wrong
 * credentials stop it with one line. Certificates are made for the run with openssl.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { loadRulesConfig, startRulesService } from '@cairn/rules';
import { ConfigError, createLogger } from '@cairn/shared';
import { natsPermissions, startNatsServer, tempDir, type NatsServer, type TempDir } from '@cairn/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const LOG_LEVEL = process.env.TEST_LOG_LEVEL ?? 'silent';

function openssl(dir: string, ...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
}

/**
 * A CA, a server certificate and a client certificate, all signed by the CA. nats.js checks
 * a server named by IP against the name `localhost`, so the certificate names both.
 */
function makeCertificates(dir: string): void {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(dir, 'req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=cairn-test-ca');
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  for (const name of ['server', 'client']) {
    openssl(dir, 'req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=cairn-test-${name}`);
    openssl(dir, 'x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', '1', '-extfile', 'san.ext');
  }
}

describe('NATS over TLS with the shipped permissions', () => {
  let dir: TempDir;
  let nats: NatsServer;
  const permissions = natsPermissions();
  const base = () => ({ NATS_URL: nats.url, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL, AUTH_REQUIRED: 'false', ...permissions.users.rules });
  const tlsEnv = () => ({ NATS_TLS_CA: join(dir.path, 'ca.pem'), NATS_TLS_CERT: join(dir.path, 'client.pem'), NATS_TLS_KEY: join(dir.path, 'client.key') });

  beforeAll(async () => {
    dir = await tempDir('cairn-nats-tls-');
    makeCertificates(dir.path);
    // The operator's way to add TLS: include the shipped file, then a tls block (README, NATS permissions).
    const config = join(dir.path, 'nats-tls.conf');
    writeFileSync(
      config,
      [
        // nats-server resolves an include relative to the including file.
        `include "${relative(dir.path, permissions.configFile)}"`,
        `tls {`,
        `  cert_file: "${join(dir.path, 'server.pem')}"`,
        `  key_file: "${join(dir.path, 'server.key')}"`,
        `  ca_file: "${join(dir.path, 'ca.pem')}"`,
        `  verify: true`,
        `}`,
      ].join('\n'),
    );
    nats = await startNatsServer({ configFile: config, env: permissions.env });
  });
  afterAll(async () => {
    await nats?.stop();
    await dir?.remove();
  });

  it('connects the rules service with NATS_TLS_CA, NATS_TLS_CERT and NATS_TLS_KEY and serves (#11)', async () => {
    const rules = await startRulesService(loadRulesConfig({ ...base(), ...tlsEnv() }), createLogger('rules', LOG_LEVEL));
    try {
      const response = await fetch(`${rules.url}/rules/tls`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ pathPatterns: ['^/tls$'], ttl: '1m' }) });
      expect(response.status).toBe(204);
    } finally {
      await rules.close();
    }
  });

  it('stops with one line naming NATS_USER/NATS_PASS when the password is wrong (#11)', async () => {
    const started = startRulesService(loadRulesConfig({ ...base(), ...tlsEnv(), NATS_PASS: 'wrong' }), createLogger('rules', LOG_LEVEL));
    await expect(started).rejects.toThrow(ConfigError);
    await expect(started).rejects.toThrow(/^environment: NATS_USER\/NATS_PASS: the NATS server refused user "rules": [^\n]+$/i);
  });
});
