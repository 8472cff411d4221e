/**
 * `npm run docs:config`: rewrites the generated tables of docs/configuration.md from the zod
 * schemas (names, types, defaults) and scripts/config-descriptions.ts (meanings). Only the
 * regions between `<!-- generated:<name> start -->` and `<!-- generated:<name> end -->` change;
 * the prose around them is written by hand. test/docs/configuration-drift.test.ts fails when
 * the committed doc differs from what this would write.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheConfigurationSchema, gatewayEnvSchema } from '@cairn/gateway';
import { invalidationEnvSchema } from '@cairn/invalidation';
import { rulesEnvSchema } from '@cairn/rules';
import { cacheKeyConfigSchema } from '@cairn/shared';
import { z } from 'zod';
import {
  cacheConfigDocs,
  cacheKeyDocs,
  composeDocs,
  demoOriginEnv,
  envDocs,
  launcherEnv,
  cliEnv,
  type FieldDoc,
  type ScriptVariable,
  type ServiceName,
} from './config-descriptions.js';

const root = fileURLToPath(new URL('..', import.meta.url));
export const configurationDocPath = resolve(root, 'docs/configuration.md');
const DESCRIPTIONS = 'scripts/config-descriptions.ts';

/** What the reference is generated from; tests pass their own schemas to see a failure. */
export interface ReferenceInputs {
  env: Record<ServiceName, z.ZodType>;
  cacheConfiguration: z.ZodType;
  cacheKey: z.ZodType;
  composeFile: string;
}

export function defaultInputs(): ReferenceInputs {
  return {
    env: { gateway: gatewayEnvSchema, rules: rulesEnvSchema, invalidation: invalidationEnvSchema },
    cacheConfiguration: cacheConfigurationSchema,
    cacheKey: cacheKeyConfigSchema,
    composeFile: readFileSync(resolve(root, 'docker-compose.yml'), 'utf8'),
  };
}

/** Fields without a meaning, or meanings without a field: every problem, one per line. */
export class ConfigReferenceError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`docs/configuration.md cannot be generated:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigReferenceError';
  }
}

interface JsonSchema {
  type?: string;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  default?: unknown;
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
}

/** The schema as a caller writes it (defaults and transforms seen from the input side). */
function inputSchema(schema: z.ZodType): JsonSchema {
  return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
}

function integerText(s: JsonSchema): string {
  const low = s.minimum ?? (s.exclusiveMinimum === undefined ? undefined : s.exclusiveMinimum + 1);
  const high = s.maximum !== undefined && s.maximum < Number.MAX_SAFE_INTEGER ? s.maximum : undefined;
  if (low === 0 && high === 65535) return 'port';
  if (low !== undefined && high !== undefined) return `integer ${low}–${high}`;
  if (low !== undefined) return `integer ≥ ${low}`;
  return 'integer';
}

/** A short type: `true \| false`, `integer ≥ 1`, `{search, replace} \| false`, `string[]`. */
function typeText(s: JsonSchema): string {
  if (s.enum !== undefined) return s.enum.map((v) => `\`${String(v)}\``).join(' \\| ');
  if (s.const !== undefined) return `\`${JSON.stringify(s.const)}\``;
  if (s.anyOf !== undefined) return s.anyOf.map(typeText).join(' \\| ');
  switch (s.type) {
    case 'integer':
      return integerText(s);
    case 'array':
      return s.items === undefined ? 'array' : `${typeText(s.items)}[]`;
    case 'object': {
      const required = new Set(s.required ?? []);
      return `{${Object.keys(s.properties ?? {}).map((k) => (required.has(k) ? k : `${k}?`)).join(', ')}}`;
    }
    case 'string':
      return s.format === 'uri' ? 'URL' : 'string';
    default:
      return s.type ?? 'any';
  }
}

function envDefault(s: JsonSchema): string {
  if (s.default === undefined) return '—';
  if (s.default === '') return '(empty)';
  return `\`${String(s.default)}\``;
}

function configDefault(s: JsonSchema, required: boolean): string {
  if (required) return '**required**';
  return s.default === undefined ? '—' : `\`${JSON.stringify(s.default)}\``;
}

function row(cells: string[]): string {
  for (const cell of cells) {
    if (cell.replaceAll('\\|', '').includes('|')) throw new ConfigReferenceError([`a table cell has an unescaped "|": ${cell}`]);
  }
  return `| ${cells.join(' | ')} |`;
}

function table(head: string[], rows: string[][]): string {
  return [row(head), row(head.map(() => '---')), ...rows.map(row)].join('\n');
}

class Descriptions {
  readonly problems: string[] = [];
  readonly #used = new Set<string>();

  env(service: ServiceName | 'every service', name: string): FieldDoc | undefined {
    const own = service === 'every service' ? undefined : envDocs[`${service}:${name}`];
    const doc = own ?? envDocs[name];
    this.#used.add(own === undefined ? name : `${service}:${name}`);
    if (doc === undefined) this.problems.push(`${service} environment: ${name} has no description in ${DESCRIPTIONS} (envDocs)`);
    return doc;
  }

  field(map: Record<string, FieldDoc>, mapName: string, where: string, name: string): FieldDoc | undefined {
    this.#used.add(`${mapName}:${name}`);
    const doc = map[name];
    if (doc === undefined) this.problems.push(`${where}: ${name} has no description in ${DESCRIPTIONS} (${mapName})`);
    return doc;
  }

  compose(name: string): string | undefined {
    this.#used.add(`composeDocs:${name}`);
    const meaning = composeDocs[name];
    if (meaning === undefined) this.problems.push(`docker-compose.yml: \${${name}} has no description in ${DESCRIPTIONS} (composeDocs)`);
    return meaning;
  }

  /** Descriptions no schema field uses: a removed or renamed field left its meaning behind. */
  checkUnused(): void {
    for (const name of Object.keys(envDocs)) {
      if (!this.#used.has(name)) this.problems.push(`envDocs: ${name} is described but no service schema has it`);
    }
    const maps: Array<[string, Record<string, unknown>]> = [['cacheConfigDocs', cacheConfigDocs], ['cacheKeyDocs', cacheKeyDocs], ['composeDocs', composeDocs]];
    for (const [mapName, map] of maps) {
      for (const name of Object.keys(map)) if (!this.#used.has(`${mapName}:${name}`)) this.problems.push(`${mapName}: ${name} is described but no longer exists`);
    }
  }
}

const services: readonly ServiceName[] = ['gateway', 'rules', 'invalidation'];

function envRows(descriptions: Descriptions, service: ServiceName | 'every service', fields: Array<[string, JsonSchema]>): string[][] {
  return fields.map(([name, s]) => {
    const doc = descriptions.env(service, name);
    // A default computed from this machine would make the doc differ on every other one.
    if (doc?.shownDefault === undefined && typeof s.default === 'string' && s.default.includes(hostname())) {
      descriptions.problems.push(`${service} environment: ${name}'s default names this host: give it a shownDefault in ${DESCRIPTIONS}`);
    }
    return [`\`${name}\``, doc?.type ?? typeText(s), doc?.shownDefault ?? envDefault(s), doc?.meaning ?? ''];
  });
}

/** Variables every service reads alike go in one table; the rest in each service's own. */
function envRegions(descriptions: Descriptions, inputs: ReferenceInputs): Record<string, string> {
  const props = Object.fromEntries(services.map((svc) => [svc, inputSchema(inputs.env[svc]).properties ?? {}])) as Record<ServiceName, Record<string, JsonSchema>>;
  // Alike in every schema, and with one meaning: a per-service description keeps it apart.
  const isShared = (name: string): boolean => {
    const first = JSON.stringify(props.gateway[name]);
    return services.every((svc) => props[svc][name] !== undefined && JSON.stringify(props[svc][name]) === first && envDocs[`${svc}:${name}`] === undefined);
  };
  const head = ['variable', 'type', 'default', 'meaning'];
  const shared = Object.entries(props.gateway).filter(([name]) => isShared(name));
  const regions: Record<string, string> = { 'env-every-service': table(head, envRows(descriptions, 'every service', shared)) };
  for (const svc of services) {
    regions[`env-${svc}`] = table(head, envRows(descriptions, svc, Object.entries(props[svc]).filter(([name]) => !isShared(name))));
  }
  return regions;
}

/**
 * A field's default from zod itself: JSON Schema drops the default of a field whose schema
 * transforms its input (`defaultForwardHeaders`).
 */
function zodDefault(schema: z.ZodType, name: string): unknown {
  const field = (schema as unknown as { shape?: Record<string, { _zod: { def: { type: string; defaultValue?: unknown } } }> }).shape?.[name];
  return field?._zod.def.type === 'default' ? field._zod.def.defaultValue : undefined;
}

function configRows(descriptions: Descriptions, map: Record<string, FieldDoc>, mapName: string, where: string, schema: z.ZodType): string[][] {
  const s = inputSchema(schema);
  const required = new Set(s.required ?? []);
  return Object.entries(s.properties ?? {}).map(([name, prop]) => {
    const doc = descriptions.field(map, mapName, where, name);
    const withDefault = prop.default === undefined ? { ...prop, default: zodDefault(schema, name) } : prop;
    return [`\`${name}\``, doc?.type ?? typeText(prop), configDefault(withDefault, required.has(name)), doc?.meaning ?? ''];
  });
}

function scriptTable(variables: readonly ScriptVariable[]): string {
  return table(['variable', 'type', 'default', 'meaning'], variables.map((v) => [`\`${v.name}\``, v.type, v.default, v.meaning]));
}

/** `${CAIRN_X:-default}` substitutions of the compose file, in file order. */
export function composeVariables(composeFile: string): Array<{ name: string; default: string }> {
  const seen = new Map<string, string>();
  for (const match of composeFile.matchAll(/\$\{(CAIRN_[A-Z0-9_]+):-([^}]*)\}/g)) if (!seen.has(match[1]!)) seen.set(match[1]!, match[2]!);
  return [...seen].map(([name, value]) => ({ name, default: value }));
}

/** Every generated region's Markdown, by region name. */
export function generateRegions(inputs: ReferenceInputs = defaultInputs()): Record<string, string> {
  const descriptions = new Descriptions();
  const head = ['key', 'type', 'default', 'meaning'];
  const regions: Record<string, string> = {
    'cache-configuration': table(head, configRows(descriptions, cacheConfigDocs, 'cacheConfigDocs', 'cacheConfiguration', inputs.cacheConfiguration)),
    'cache-key': table(head, configRows(descriptions, cacheKeyDocs, 'cacheKeyDocs', 'cache-key config', inputs.cacheKey)),
    ...envRegions(descriptions, inputs),
    'env-launcher': scriptTable(launcherEnv),
    'env-demo-origin': scriptTable(demoOriginEnv),
    'env-cli': scriptTable(cliEnv),
    'compose-variables': table(
      ['variable', 'default', 'meaning'],
      composeVariables(inputs.composeFile).map(({ name, default: value }) => [`\`${name}\``, value === '' ? '(empty)' : `\`${value}\``, descriptions.compose(name) ?? '']),
    ),
  };
  descriptions.checkUnused();
  if (descriptions.problems.length > 0) throw new ConfigReferenceError(descriptions.problems);
  return regions;
}

const startMarker = (name: string): string => `<!-- generated:${name} start (npm run docs:config) -->`;
const endMarker = (name: string): string => `<!-- generated:${name} end -->`;

/** The doc with every generated region replaced; a region whose markers are missing is an error. */
export function renderConfigurationReference(doc: string, inputs: ReferenceInputs = defaultInputs()): string {
  let out = doc;
  const missing: string[] = [];
  for (const [name, body] of Object.entries(generateRegions(inputs))) {
    const start = out.indexOf(startMarker(name));
    const end = out.indexOf(endMarker(name));
    if (start === -1 || end === -1 || end < start) {
      missing.push(`docs/configuration.md: the markers of region "${name}" are missing (${startMarker(name)} … ${endMarker(name)})`);
      continue;
    }
    out = `${out.slice(0, start + startMarker(name).length)}\n${body}\n${out.slice(end)}`;
  }
  if (missing.length > 0) throw new ConfigReferenceError(missing);
  return out;
}

const isMain = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  try {
    const before = readFileSync(configurationDocPath, 'utf8');
    const after = renderConfigurationReference(before);
    writeFileSync(configurationDocPath, after);
    process.stdout.write(after === before ? 'docs/configuration.md is up to date\n' : 'docs/configuration.md rewritten\n');
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}
