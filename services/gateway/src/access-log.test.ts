import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { combinedLine, type AccessRecord } from './access-log.js';
import { loadGatewayConfig } from './config.js';

const record: AccessRecord = {
  requestId: 'r1',
  method: 'GET',
  url: '/a?b=1',
  httpVersion: '1.1',
  status: 200,
  bytes: 1024,
  latencyMs: 0.25,
  outcome: 'HIT',
  reason: 'fresh',
  cache: 'page',
  key: 'page:/a?b=1',
  client: '10.0.0.7',
  user: undefined,
  userAgent: 'curl/8.5.0',
  referer: '',
  aborted: false,
};
// 2026-12-02T12:52:24Z
const now = Date.UTC(2026, 11, 2, 12, 52, 24, 500);

describe('combinedLine', () => {
  it("writes nginx's combined format with the outcome, reason, latency, key and request id appended", () => {
    expect(combinedLine(record, now)).toBe('10.0.0.7 - - [02/Dec/2026:12:52:24 +0000] "GET /a?b=1 HTTP/1.1" 200 1024 "-" "curl/8.5.0" HIT fresh 0.000 "page:/a?b=1" r1');
  });

  it.each([
    ['a quote', 'say "hi"', 'say \\x22hi\\x22'],
    ['a backslash', 'a\\b', 'a\\x5Cb'],
    ['a control character', 'a\nb', 'a\\x0Ab'],
    ['non-ASCII, byte by byte', 'é', '\\xC3\\xA9'],
  ])('escapes %s in a field as nginx does', (_name, userAgent, written) => {
    expect(combinedLine({ ...record, userAgent }, now)).toContain(`"${written}" HIT`);
  });

  it('names the authenticated user and marks what is missing with -', () => {
    expect(combinedLine({ ...record, user: 'alice', client: '', requestId: '', reason: '' }, now)).toMatch(/^- - alice \[.*\] ".*" HIT - 0\.000 ".*" -$/);
  });
});

describe('ACCESS_LOG', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-access-log-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'cacheConfiguration.t.json'), JSON.stringify({ defaultOrigin: 'http://127.0.0.1:8090', defaultCacheKey: {} }));
  const load = (env: Record<string, string>) => loadGatewayConfig({ CONFIG_DIR: dir, ENVIRONMENT: 't', ...env });

  it('is off by default', () => {
    expect(load({}).env.ACCESS_LOG).toBe('off');
  });

  it('stops on an unknown format, naming ACCESS_LOG', () => {
    expect(() => load({ ACCESS_LOG: 'verbose' })).toThrow(/^environment: ACCESS_LOG: .*"json".*got "verbose"/);
  });
});
