/**
 * The command table's parser and help: argv → which command, its arguments and options, or a
 * help or version request. Built on node:util parseArgs; knows nothing about what commands do.
 */
import { parseArgs } from 'node:util';
import { UsageError } from './errors.js';

export interface OptionSpec {
  /** The long name: `rules-url` is `--rules-url`. */
  name: string;
  short?: string;
  type: 'string' | 'boolean';
  /** May be given more than once (`-H a -H b`); its value is then a list. */
  multiple?: boolean;
  /** What the value is, shown in help: `--file <path>`. */
  placeholder?: string;
  description: string;
}

export interface ArgumentSpec {
  name: string;
  required: boolean;
}

export interface CommandSpec {
  /** The words naming it: `['rules', 'get']`. */
  path: readonly string[];
  summary: string;
  args: readonly ArgumentSpec[];
  options: readonly OptionSpec[];
  examples: readonly string[];
}

export type OptionValue = string | boolean | string[] | undefined;

export type Invocation<C extends CommandSpec> =
  | { kind: 'run'; command: C; args: Record<string, string | undefined>; options: Record<string, OptionValue> }
  | { kind: 'help'; text: string }
  | { kind: 'version' };

export interface Program<C extends CommandSpec> {
  name: string;
  description: string;
  commands: readonly C[];
  globalOptions: readonly OptionSpec[];
  /** Text after the command list of the main help: environment, exit codes. */
  epilogue: string;
}

const flag = (option: OptionSpec): string =>
  `${option.short === undefined ? '    ' : `-${option.short}, `}--${option.name}${option.type === 'string' ? ` <${option.placeholder ?? 'value'}>` : ''}`;

function optionTable(options: readonly OptionSpec[]): string {
  const width = Math.max(...options.map((o) => flag(o).length));
  return options.map((o) => `  ${flag(o).padEnd(width)}  ${o.description}`).join('\n');
}

const argumentsUsage = (command: CommandSpec): string =>
  command.args.map((a) => (a.required ? `<${a.name}>` : `[${a.name}]`)).join(' ');

export function usageLine(program: Program<CommandSpec>, command: CommandSpec): string {
  return [program.name, ...command.path, command.options.length > 0 ? '[options]' : '', argumentsUsage(command)].filter((part) => part !== '').join(' ');
}

export function commandHelp(program: Program<CommandSpec>, command: CommandSpec): string {
  const sections = [`Usage: ${usageLine(program, command)}`, command.summary];
  if (command.options.length > 0) sections.push(`Options:\n${optionTable(command.options)}`);
  sections.push(`Global options:\n${optionTable(program.globalOptions)}`);
  if (command.examples.length > 0) sections.push(`Examples:\n${command.examples.map((e) => `  ${e}`).join('\n')}`);
  return `${sections.join('\n\n')}\n`;
}

/** The main help, or a group's (`cairn rules --help`) when `prefix` names one. */
export function programHelp(program: Program<CommandSpec>, prefix: readonly string[] = []): string {
  const listed = program.commands.filter((c) => prefix.every((word, i) => c.path[i] === word));
  const lines = listed.map((c) => [usageLine(program, c).slice(program.name.length + 1), c.summary] as const);
  const width = Math.max(...lines.map(([usage]) => usage.length));
  const sections = [
    `Usage: ${program.name} ${prefix.length > 0 ? `${prefix.join(' ')} ` : ''}<command> [options]`,
    ...(prefix.length === 0 ? [program.description] : []),
    `Commands:\n${lines.map(([usage, summary]) => `  ${usage.padEnd(width)}  ${summary}`).join('\n')}`,
    `Global options:\n${optionTable(program.globalOptions)}`,
    `Run "${program.name} ${prefix.length > 0 ? `${prefix.join(' ')} ` : ''}<command> --help" for a command's options and examples.`,
  ];
  if (prefix.length === 0) sections.push(program.epilogue);
  return `${sections.join('\n\n')}\n`;
}

/** Every option of every command, for one strict parse; a name means one thing everywhere. */
function allOptions(program: Program<CommandSpec>): Map<string, OptionSpec> {
  const options = new Map<string, OptionSpec>();
  for (const option of [...program.globalOptions, ...program.commands.flatMap((c) => c.options)]) {
    const known = options.get(option.name);
    if (known !== undefined && (known.type !== option.type || known.short !== option.short || known.multiple !== option.multiple)) {
      throw new TypeError(`option --${option.name} is declared twice with different shapes`);
    }
    options.set(option.name, option);
  }
  return options;
}

/** parseArgs's message, first sentence only and without its advice on `--`. */
function usageMessage(err: Error): string {
  const sentence = err.message.split(/\.\s/)[0] ?? err.message;
  return sentence.replace(/^./, (c) => c.toLowerCase()).replace(/\.$/, '');
}

function parse(argv: readonly string[], options: Map<string, OptionSpec>) {
  const config = Object.fromEntries(
    [...options.values()].map((o) => [o.name, { type: o.type, ...(o.short === undefined ? {} : { short: o.short }), ...(o.multiple === true ? { multiple: true } : {}) }]),
  );
  try {
    return parseArgs({ args: [...argv], options: config, allowPositionals: true, strict: true, tokens: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS') === true) throw new UsageError(usageMessage(err as Error));
    throw err;
  }
}

export function parseCommandLine<C extends CommandSpec>(program: Program<C>, argv: readonly string[]): Invocation<C> {
  const parsed = parse(argv, allOptions(program));
  const values = parsed.values as Record<string, OptionValue>;
  let positionals = parsed.positionals;
  const helpAsked = values.help === true || positionals[0] === 'help';
  if (positionals[0] === 'help') positionals = positionals.slice(1);
  if (values.version === true && positionals.length === 0) return { kind: 'version' };

  const command = [...program.commands].sort((a, b) => b.path.length - a.path.length).find((c) => c.path.every((word, i) => positionals[i] === word));
  if (command === undefined) {
    const group = positionals.length > 0 && program.commands.some((c) => c.path.length > 1 && c.path[0] === positionals[0]) ? [positionals[0] as string] : [];
    const text = programHelp(program, group);
    if (helpAsked && positionals.length === group.length) return { kind: 'help', text };
    if (positionals.length === 0) throw new UsageError(`a command is required (see "${program.name} --help")`);
    if (positionals.length === group.length) throw new UsageError(`${group.join(' ')}: a command is required (see "${program.name} ${group.join(' ')} --help")`);
    const unknown = positionals.slice(0, group.length + 1).join(' ');
    throw new UsageError(`unknown command "${unknown}" (see "${program.name} ${group.join(' ')}${group.length > 0 ? ' ' : ''}--help")`);
  }
  if (helpAsked) return { kind: 'help', text: commandHelp(program, command) };

  const allowed = new Set([...program.globalOptions, ...command.options].map((o) => o.name));
  for (const token of parsed.tokens) {
    if (token.kind === 'option' && !allowed.has(token.name)) {
      throw new UsageError(`${command.path.join(' ')}: unknown option ${token.rawName} (see "${program.name} ${command.path.join(' ')} --help")`);
    }
  }
  const rest = positionals.slice(command.path.length);
  const usage = `usage: ${usageLine(program, command)}`;
  if (rest.length > command.args.length) throw new UsageError(`unexpected argument ${JSON.stringify(rest[command.args.length])} (${usage})`);
  const args: Record<string, string | undefined> = {};
  command.args.forEach((spec, i) => {
    const value = rest[i];
    if (value === undefined && spec.required) throw new UsageError(`missing <${spec.name}> (${usage})`);
    args[spec.name] = value;
  });
  return { kind: 'run', command, args, options: values };
}
