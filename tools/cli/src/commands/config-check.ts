/**
 * `cairn config check`: validates a gateway's configuration as `nginx -t` does — the
 * environment and `cacheConfiguration.<ENVIRONMENT>.json` in CONFIG_DIR with the gateway's own
 * schemas and loader (`@cairn/gateway`), and the USERS_FILE when access control is on. Prints
 * one line per problem found; the cross-field checks of the loader run once the rest is clean.
 */
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ConfigError, formatFieldPath, loadUsersFile, natsAuthOptions, readLogLevelFile } from '@cairn/shared';
import type { CairnCommand } from '../command.js';
import { exitCodes } from '../exit-codes.js';

/** A zod issue as far as a line needs it. */
interface Issue {
  code: string;
  path: PropertyKey[];
  message: string;
  keys?: string[];
}

/** One line per issue, as the shared formatter words the first: an unknown key names itself. */
function issueLines(source: string, issues: readonly Issue[], received: (field: string) => string | undefined = () => undefined): string[] {
  return issues.flatMap((issue) => {
    const fields = issue.code === 'unrecognized_keys' ? (issue.keys ?? []).map((key) => formatFieldPath([...issue.path, key])) : [formatFieldPath(issue.path)];
    const message = issue.code === 'unrecognized_keys' ? 'unknown field' : issue.message;
    return fields.map((field) => {
      const got = received(field);
      return `${source}: ${field === '' ? '' : `${field}: `}${message}${got === undefined ? '' : `, got ${JSON.stringify(got)}`}`;
    });
  });
}

/** Empty variables count as unset, as the services read them (and docker compose writes them). */
function presentVariables(env: NodeJS.ProcessEnv): Record<string, string> {
  const present: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) if (value !== undefined && value !== '') present[name] = value;
  return present;
}

function readConfigFile(path: string): { json?: unknown; problem?: string } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { problem: `${path}: ${code === 'ENOENT' ? 'file not found' : `cannot read: ${(err as Error).message}`}` };
  }
  try {
    return { json: JSON.parse(text) };
  } catch (err) {
    return { problem: `${path}: not valid JSON: ${(err as Error).message}` };
  }
}

export async function checkGatewayConfig(env: NodeJS.ProcessEnv): Promise<{ path: string; problems: string[] }> {
  // Loaded here only: the gateway's modules are more than the other commands need.
  const { cacheConfigurationSchema, gatewayEnvSchema, loadGatewayConfig } = await import('@cairn/gateway');
  const variables = presentVariables(env);
  const problems: string[] = [];
  const parsedEnv = gatewayEnvSchema.safeParse(variables);
  if (!parsedEnv.success) problems.push(...issueLines('environment', parsedEnv.error.issues as Issue[], (field) => variables[field]));
  const location = gatewayEnvSchema.pick({ CONFIG_DIR: true, ENVIRONMENT: true }).safeParse(variables);
  const path = location.success ? join(location.data.CONFIG_DIR, `cacheConfiguration.${location.data.ENVIRONMENT}.json`) : '';
  if (location.success) {
    const file = readConfigFile(path);
    if (file.problem !== undefined) problems.push(file.problem);
    else {
      const parsed = cacheConfigurationSchema.safeParse(file.json);
      if (!parsed.success) problems.push(...issueLines(basename(path), parsed.error.issues as Issue[]));
    }
  }
  if (parsedEnv.success && parsedEnv.data.AUTH_REQUIRED) {
    try {
      if (parsedEnv.data.USERS_FILE === undefined) throw new ConfigError('environment', 'USERS_FILE', 'required when AUTH_REQUIRED is true (set AUTH_REQUIRED=false to run without access control)');
      loadUsersFile(parsedEnv.data.USERS_FILE);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      problems.push(err.message);
    }
  }
  if (problems.length === 0) {
    // What the gateway checks next at startup, each as it does: the loader's checks across the
    // file and the environment (an origin auth header needs its token), the NATS credentials
    // and TLS files, the log level file.
    const checks = [() => loadGatewayConfig(env), () => natsAuthOptions(parsedEnv.data!), () => parsedEnv.data!.LOG_LEVEL_FILE !== undefined && readLogLevelFile(parsedEnv.data!.LOG_LEVEL_FILE)];
    for (const check of checks) {
      try {
        check();
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        problems.push(err.message);
      }
    }
  }
  return { path, problems };
}

export const configCheck: CairnCommand = {
  path: ['config', 'check'],
  summary: "Validate a gateway's environment and cacheConfiguration.<ENVIRONMENT>.json as the gateway does at startup.",
  args: [],
  options: [
    { name: 'config-dir', type: 'string', placeholder: 'dir', description: 'where the file is (default: CONFIG_DIR, as the gateway reads it)' },
    { name: 'environment', type: 'string', placeholder: 'name', description: 'which cacheConfiguration.<name>.json (default: ENVIRONMENT, else local)' },
  ],
  examples: ['cairn config check', 'CONFIG_DIR=/etc/cairn ENVIRONMENT=production cairn config check', 'cairn config check --config-dir config/compose --environment compose'],
  async run(input) {
    const env = { ...input.settings.env };
    if (typeof input.options['config-dir'] === 'string') env.CONFIG_DIR = input.options['config-dir'];
    if (typeof input.options.environment === 'string') env.ENVIRONMENT = input.options.environment;
    const { path, problems } = await checkGatewayConfig(env);
    if (problems.length === 0) return { data: { ok: true, path, problems }, text: `ok: ${path} and the environment are valid` };
    return { data: { ok: false, path, problems }, text: '', problems, exitCode: exitCodes.failed };
  },
};
