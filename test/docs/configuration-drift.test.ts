/**
 * docs/configuration.md is generated from the schemas (scripts/config-reference.ts): these
 * tests fail when the committed doc has drifted from them, and show that the generator
 * refuses a field nobody described.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import { cacheConfigurationSchema, gatewayEnvSchema } from '@cairn/gateway';
import { invalidationEnvSchema } from '@cairn/invalidation';
import { rulesEnvSchema } from '@cairn/rules';
import { cacheKeyConfigSchema } from '@cairn/shared';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { cliEnv, demoOriginEnv, launcherEnv } from '../../scripts/config-descriptions.js';
import { configurationDocPath, defaultInputs, generateRegions, renderConfigurationReference } from '../../scripts/config-reference.js';

const repoFile = (path: string): string => readFileSync(fileURLToPath(new URL(`../../${path}`, import.meta.url)), 'utf8');
const committed = readFileSync(configurationDocPath, 'utf8');

/** The names in the first column of a generated region of the committed doc. */
function namesInRegion(region: string): string[] {
  const start = committed.indexOf(`<!-- generated:${region} start`);
  const end = committed.indexOf(`<!-- generated:${region} end -->`);
  expect(start, `region ${region} exists in docs/configuration.md`).toBeGreaterThan(-1);
  return [...committed.slice(start, end).matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1]!);
}

const keysOf = (schema: z.ZodObject): string[] => Object.keys(schema.shape);

/** The operating system's own variables a script may touch without them being its settings. */
const SYSTEM_VARIABLES = new Set(['PATH', 'HOME']);

/** `process.env.NAME` reads in a script's source. */
function envReads(path: string): string[] {
  const names = [...repoFile(path).matchAll(/process\.env\.([A-Z][A-Z0-9_]*)/g)].map((m) => m[1]!);
  return [...new Set(names)].filter((name) => !SYSTEM_VARIABLES.has(name)).sort();
}

describe('docs/configuration.md', () => {
  it('is exactly what npm run docs:config writes from the current schemas', () => {
    expect(committed, 'docs/configuration.md differs from the schemas: run npm run docs:config').toBe(renderConfigurationReference(committed));
  });

  it.each([
    ['env-gateway', gatewayEnvSchema],
    ['env-rules', rulesEnvSchema],
    ['env-invalidation', invalidationEnvSchema],
  ] as const)('lists in %s only variables that service reads', (region, schema) => {
    const shared = namesInRegion('env-every-service');
    const listed = [...namesInRegion(region), ...shared];
    expect(listed.filter((name) => !keysOf(schema).includes(name)), `variables in docs/configuration.md that ${region.slice(4)} does not read`).toEqual([]);
    expect(keysOf(schema).filter((name) => !listed.includes(name)), `variables ${region.slice(4)} reads that docs/configuration.md does not list`).toEqual([]);
  });

  it('lists exactly the keys of the cache configuration and of a cache-key config', () => {
    expect(namesInRegion('cache-configuration')).toEqual(keysOf(cacheConfigurationSchema));
    expect(namesInRegion('cache-key')).toEqual(keysOf(cacheKeyConfigSchema));
  });

  it('lists every variable the npm start launcher reads, and no other', () => {
    expect(launcherEnv.map((v) => v.name).sort()).toEqual(envReads('scripts/dev.ts'));
  });

  it('lists every CAIRN_ variable the cairn command reads, and no other', () => {
    const sources = ['tools/cli/src/settings.ts', 'tools/cli/src/commands/status.ts', 'tools/cli/bin/cairn.js'].map(repoFile).join('\n');
    const reads = [...sources.matchAll(/(?:env\.|env\[|'|")(CAIRN_(?!CLI_(?:USAGE|FAILED|UNREACHABLE))[A-Z0-9_]+)/g)].map((m) => m[1]!);
    expect(cliEnv.map((v) => v.name).filter((name) => name.startsWith('CAIRN_')).sort()).toEqual([...new Set(reads)].sort());
  });

  it('lists every variable the demo origin reads, and no other', () => {
    expect(demoOriginEnv.map((v) => v.name).sort()).toEqual(envReads('services/demo-origin/src/main.ts'));
  });
});

describe('the configuration reference generator', () => {
  it('refuses a schema field without a description, naming the field', () => {
    const inputs = defaultInputs();
    inputs.env.gateway = gatewayEnvSchema.extend({ SOME_NEW_SETTING_MS: z.coerce.number().default(1) });
    expect(() => generateRegions(inputs)).toThrow(/gateway environment: SOME_NEW_SETTING_MS has no description in scripts\/config-descriptions\.ts/);
  });

  it('refuses a cache configuration key without a description, naming the key', () => {
    const inputs = defaultInputs();
    inputs.cacheConfiguration = z.strictObject({ ...cacheConfigurationSchema.shape, newKey: z.string().optional() });
    expect(() => generateRegions(inputs)).toThrow(/cacheConfiguration: newKey has no description/);
  });

  it('refuses a default computed from this host unless a fixed text is shown instead', () => {
    const inputs = defaultInputs();
    inputs.env.rules = rulesEnvSchema.extend({ HOST: z.string().default(`${hostname()}.local`) });
    expect(() => generateRegions(inputs)).toThrow(/HOST's default names this host/);
  });

  it('refuses a description whose field no schema has any more', () => {
    const inputs = defaultInputs();
    inputs.env.gateway = gatewayEnvSchema.omit({ PURGE_TIMEOUT_MS: true });
    expect(() => generateRegions(inputs)).toThrow(/envDocs: PURGE_TIMEOUT_MS is described but no service schema has it/);
  });

  it('refuses a compose variable without a description, naming it', () => {
    const inputs = defaultInputs();
    inputs.composeFile += '\n    ports: ["${CAIRN_NEW_PORT:-1234}:1234"]\n';
    expect(() => generateRegions(inputs)).toThrow(/CAIRN_NEW_PORT\} has no description/);
  });

  it('refuses a doc whose region markers are missing', () => {
    expect(() => renderConfigurationReference('# Configuration\n')).toThrow(/markers of region "cache-configuration" are missing/);
  });
});
