/**
 * The example configurations in config/examples/ are real: every cache configuration parses
 * with the gateway's schema, every env file holds only variables its service reads, with
 * values that pass its schema, and the full set names every variable there is.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheConfigurationSchema, gatewayEnvSchema, loadGatewayConfig } from '@cairn/gateway';
import { invalidationEnvSchema } from '@cairn/invalidation';
import { loadRulesConfig, rulesEnvSchema } from '@cairn/rules';
import { loadConfigFile, parseEnv, parseUsers } from '@cairn/shared';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';

const examplesDir = fileURLToPath(new URL('../../config/examples/', import.meta.url));
const sets = readdirSync(examplesDir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
const envSchemas: Record<string, z.ZodObject> = { gateway: gatewayEnvSchema, rules: rulesEnvSchema, invalidation: invalidationEnvSchema };

interface EnvFile {
  /** NAME=value lines. */
  set: Record<string, string>;
  /** `# NAME=…` lines: left unset on purpose. */
  unset: string[];
  /** Lines that are neither, a comment nor blank. */
  malformed: string[];
}

/** The env-file format docker, compose and systemd share: NAME=value, whole-line comments. */
function readEnvFile(path: string): EnvFile {
  const file: EnvFile = { set: {}, unset: [], malformed: [] };
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const assignment = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    const commented = /^# ([A-Z][A-Z0-9_]*)=/.exec(line);
    if (assignment) file.set[assignment[1]!] = assignment[2]!;
    else if (commented) file.unset.push(commented[1]!);
    else if (line.trim() !== '' && !line.startsWith('#')) file.malformed.push(line);
  }
  return file;
}

const filesOf = (set: string, pattern: RegExp): string[] => readdirSync(join(examplesDir, set)).filter((name) => pattern.test(name));
const envFiles = sets.flatMap((set) => filesOf(set, /\.env$/).map((name) => [set, name.replace(/\.env$/, '')] as const));

describe('config/examples', () => {
  it('holds a minimal and a full set, each with a cache configuration and an env file per service', () => {
    expect(sets.sort()).toEqual(['full', 'minimal']);
    for (const set of sets) {
      expect(filesOf(set, /^cacheConfiguration\..+\.json$/).length, `${set}: cacheConfiguration.<env>.json`).toBeGreaterThan(0);
      expect(filesOf(set, /\.env$/).sort(), `${set}: env files`).toEqual(['gateway.env', 'invalidation.env', 'rules.env']);
    }
  });

  it.each(sets.flatMap((set) => filesOf(set, /^cacheConfiguration\..+\.json$/).map((name) => [set, name])))('%s/%s parses with cacheConfigurationSchema', (set, name) => {
    expect(() => loadConfigFile(join(examplesDir, set, name), cacheConfigurationSchema)).not.toThrow();
  });

  it.each(envFiles)('%s/%s.env sets only variables that service reads', (set, service) => {
    const file = readEnvFile(join(examplesDir, set, `${service}.env`));
    const known = Object.keys(envSchemas[service]!.shape);
    expect(file.malformed, 'lines that are not NAME=value or a comment').toEqual([]);
    expect([...Object.keys(file.set), ...file.unset].filter((name) => !known.includes(name)), `variables ${service} does not read`).toEqual([]);
  });

  it.each(envFiles)('%s/%s.env values pass the service\'s env schema', (set, service) => {
    const file = readEnvFile(join(examplesDir, set, `${service}.env`));
    expect(() => parseEnv(envSchemas[service]!, file.set)).not.toThrow();
  });

  it.each(sets)('%s/gateway.env with its cache configuration passes the gateway\'s whole config load', (set) => {
    const file = readEnvFile(join(examplesDir, set, 'gateway.env'));
    // The example names the container's path; the test reads the file beside it.
    expect(() => loadGatewayConfig({ ...file.set, CONFIG_DIR: join(examplesDir, set) })).not.toThrow();
  });

  it.each(sets)('%s/rules.env finds the same cache configuration the gateways read', (set) => {
    const file = readEnvFile(join(examplesDir, set, 'rules.env'));
    expect(loadRulesConfig({ ...file.set, CONFIG_DIR: join(examplesDir, set) }).gatewayCache.configuration).toBeDefined();
  });

  it.each(envFiles.filter(([set]) => set === 'full'))('%s/%s.env names every variable the service reads', (_set, service) => {
    const file = readEnvFile(join(examplesDir, 'full', `${service}.env`));
    const named = new Set([...Object.keys(file.set), ...file.unset]);
    expect(Object.keys(envSchemas[service]!.shape).filter((name) => !named.has(name)), `variables missing from full/${service}.env`).toEqual([]);
  });

  it('full/cacheConfiguration.production.json sets every key of the schema', () => {
    const json = JSON.parse(readFileSync(join(examplesDir, 'full', 'cacheConfiguration.production.json'), 'utf8')) as object;
    expect(Object.keys(cacheConfigurationSchema.shape).filter((key) => !(key in json))).toEqual([]);
  });

  it.each(sets)('%s/users.json is a valid users file', (set) => {
    const path = join(examplesDir, set, 'users.json');
    expect(parseUsers(path, readFileSync(path, 'utf8')).size).toBeGreaterThan(0);
  });
});
