/**
 * The `cairn` command: the command table, the global options, and the one place that turns a
 * result or an error into output and an exit code (exit-codes.ts). No stack traces: every
 * failure is one line on stderr.
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from '@cairn/shared';
import type { CairnCommand } from './command.js';
import { parseCommandLine, type OptionSpec, type Program } from './command-line.js';
import { configCheck } from './commands/config-check.js';
import { pub } from './commands/pub.js';
import { purge } from './commands/purge.js';
import { rulesApply, rulesGet, rulesList, rulesRemove, rulesTest } from './commands/rules.js';
import { rulesExport, rulesImport } from './commands/rules-transfer.js';
import { status } from './commands/status.js';
import { userAdd } from './commands/user-add.js';
import { CliError } from './errors.js';
import { exitCodes, exitCodesHelp, type ExitCode } from './exit-codes.js';
import { printError, printResult, type OutputStreams } from './output.js';
import { defaultUrls, resolveSettings } from './settings.js';

const globalOptions: OptionSpec[] = [
  { name: 'rules-url', type: 'string', placeholder: 'url', description: `the rules service (env CAIRN_RULES_URL, default ${defaultUrls.rules})` },
  { name: 'invalidation-url', type: 'string', placeholder: 'url', description: `the invalidation service (env CAIRN_INVALIDATION_URL, default ${defaultUrls.invalidation})` },
  { name: 'nats-url', type: 'string', placeholder: 'url', description: `NATS servers, comma-separated (env NATS_URL, default ${defaultUrls.nats})` },
  { name: 'user', type: 'string', placeholder: 'name', description: 'Basic auth user for the REST services (env CAIRN_USER; password in CAIRN_PASSWORD)' },
  { name: 'json', type: 'boolean', description: 'print the result as one JSON document on stdout' },
];

const environmentHelp = `Environment:
  CAIRN_RULES_URL, CAIRN_INVALIDATION_URL   where the REST services are (flags win)
  CAIRN_USER, CAIRN_PASSWORD                Basic credentials for them (needed when AUTH_REQUIRED is on)
  CAIRN_GATEWAY_ADMIN_URLS                  gateway admin URLs for "status", comma-separated
  NATS_URL, NATS_USER, NATS_PASS, NATS_CREDS, NATS_TLS_CA, NATS_TLS_CERT, NATS_TLS_KEY
                                            how "pub" connects to NATS, as the services do
  CONFIG_DIR, ENVIRONMENT, and every gateway variable
                                            what "config check" validates`;

function version(): string {
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return manifest.version;
}

const program: Program<CairnCommand> = {
  name: 'cairn',
  description: 'Operate a Cairn: TTL rules, purges, NATS publishes, fleet status, gateway config checks, users.',
  version: version(),
  commands: [rulesList, rulesGet, rulesApply, rulesRemove, rulesTest, rulesExport, rulesImport, purge, pub, status, configCheck, userAdd],
  globalOptions,
  groups: { rules: 'The TTL rules: list, get, apply, remove, test, export, import.', config: "Check a gateway's configuration.", user: 'Users for USERS_FILE.' },
  epilogue: `${environmentHelp}\n\n${exitCodesHelp}`,
};

async function runCli(argv: readonly string[], env: NodeJS.ProcessEnv, stdin: NodeJS.ReadStream, streams: OutputStreams): Promise<ExitCode> {
  try {
    const invocation = parseCommandLine(program, argv);
    if (invocation.kind !== 'run') {
      streams.stdout.write(invocation.text);
      return exitCodes.ok;
    }
    const settings = resolveSettings(invocation.options, env);
    const result = await invocation.command.run({ args: invocation.args, options: invocation.options, settings, stdin });
    printResult(result, settings.json, streams);
    return result.exitCode ?? exitCodes.ok;
  } catch (err) {
    if (err instanceof CliError) {
      printError(err.message, streams);
      return err.exitCode;
    }
    // A bad NATS_* setting, found by the services' own option builder.
    if (err instanceof ConfigError) {
      printError(err.message, streams);
      return exitCodes.usage;
    }
    printError(`unexpected error: ${(err as Error).message ?? String(err)}`, streams);
    return exitCodes.failed;
  }
}

process.exitCode = await runCli(process.argv.slice(2), process.env, process.stdin, process);
