/**
 * The command table on commander: argv → which command, its arguments and options, or a help or
 * version text. Knows nothing about what commands do. Commander never exits the process or prints
 * here: its output is captured and its errors become one-line usage errors.
 */
import { Command, CommanderError, Help, Option } from 'commander';
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
  | { kind: 'help' | 'version'; text: string };

export interface Program<C extends CommandSpec> {
  name: string;
  description: string;
  version: string;
  commands: readonly C[];
  /** Accepted before or after the command words; `--help` and `--version` come with every program. */
  globalOptions: readonly OptionSpec[];
  /** What a group (`rules`) of commands is, in the main help's list; the group's own words otherwise. */
  groups?: Readonly<Record<string, string>>;
  /** Text after the command list of the main help: environment, exit codes. */
  epilogue: string;
}

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

function optionOf(spec: OptionSpec): Option {
  const value = spec.type === 'string' ? ` <${spec.placeholder ?? 'value'}>` : '';
  const option = new Option(`${spec.short === undefined ? '' : `-${spec.short}, `}--${spec.name}${value}`, spec.description);
  return spec.multiple === true ? option.argParser(collect) : option;
}

/** The command words below the program: `rules get` for `cairn rules get`. */
function wordsOf(command: Command): string[] {
  const words: string[] = [];
  for (let c: Command | null = command; c?.parent != null; c = c.parent) words.unshift(c.name());
  return words;
}

const defaultHelp = new Help();

/** The main help lists every command with its arguments, grouped ones under their full words. */
const helpConfiguration: Partial<Help> = {
  showGlobalOptions: true,
  sortSubcommands: false,
  visibleCommands: (cmd) => {
    const visible = defaultHelp.visibleCommands(cmd);
    return cmd.parent === null ? visible.flatMap((c) => (c.commands.length > 0 ? [...c.commands] : [c])) : visible;
  },
  subcommandTerm: (cmd) => [...wordsOf(cmd).slice(0, -1), defaultHelp.subcommandTerm(cmd)].join(' '),
};

interface Built<C extends CommandSpec> {
  root: Command;
  output: { out: string };
  /** The command commander was at when it stopped, for the error's prefix. */
  current: { command: Command };
  invocation: { value?: Invocation<C> };
}

function build<C extends CommandSpec>(program: Program<C>): Built<C> {
  const output = { out: '' };
  const invocation: { value?: Invocation<C> } = {};
  // Commander writes help and the version with writeOut; writeErr would get the help it shows for a
  // group without its command word, and outputError its error: both are replaced by one line.
  const root = new Command(program.name)
    .description(program.description)
    .exitOverride()
    .configureOutput({ writeOut: (text) => (output.out += text), writeErr: () => {}, outputError: () => {} })
    .configureHelp(helpConfiguration)
    .helpOption('-h, --help', 'show help')
    .version(`${program.name} ${program.version}`, '-V, --version', 'print the version')
    .addHelpText('after', `\n${program.epilogue}`);
  for (const spec of program.globalOptions) root.addOption(optionOf(spec));
  const current = { command: root };
  const track = (parent: Command) => parent.hook('preSubcommand', (_parent, sub) => void (current.command = sub));
  track(root);

  const groups = new Map<string, Command>();
  for (const spec of program.commands) {
    let parent = root;
    for (const word of spec.path.slice(0, -1)) {
      let group = groups.get(word);
      if (group === undefined) {
        const words = program.commands.filter((c) => c.path[0] === word && c.path.length > 1).map((c) => c.path.slice(1).join(' '));
        group = parent.command(word).description(program.groups?.[word] ?? words.join(', '));
        track(group);
        groups.set(word, group);
      }
      parent = group;
    }
    const command = parent.command(spec.path[spec.path.length - 1] as string).description(spec.summary);
    for (const arg of spec.args) command.argument(arg.required ? `<${arg.name}>` : `[${arg.name}]`);
    for (const option of spec.options) command.addOption(optionOf(option));
    if (spec.examples.length > 0) command.addHelpText('after', `\nExamples:\n${spec.examples.map((e) => `  ${e}`).join('\n')}`);
    const specs = [...program.globalOptions, ...spec.options];
    command.action(() => {
      const values = command.optsWithGlobals();
      const options = Object.fromEntries(specs.map((o) => [o.name, values[optionOf(o).attributeName()] as OptionValue]));
      const args = Object.fromEntries(spec.args.map((a, i) => [a.name, command.processedArgs[i] as string | undefined]));
      invocation.value = { kind: 'run', command: spec, args, options };
    });
  }
  return { root, output, current, invocation };
}

/** Commander's message as one line: without its `error: ` and sentence end, with where to look. */
function usageError(program: Program<CommandSpec>, command: Command, err: CommanderError): UsageError {
  const words = wordsOf(command);
  const see = `see "${[program.name, ...words, '--help'].join(' ')}"`;
  const where = words.length > 0 ? `${words.join(' ')}: ` : '';
  if (err.code === 'commander.help') return new UsageError(`${where}a command is required (${see})`);
  const message = err.message.replace(/^error: /, '').replace(/\.$/, '');
  return new UsageError(`${where}${message} (${see})`);
}

export function parseCommandLine<C extends CommandSpec>(program: Program<C>, argv: readonly string[]): Invocation<C> {
  const { root, output, current, invocation } = build(program);
  try {
    root.parse([...argv], { from: 'user' });
  } catch (err) {
    if (!(err instanceof CommanderError)) throw err;
    // `cairn help` answers with exit code 0, a group without its command word with 1.
    if (err.code === 'commander.helpDisplayed' || (err.code === 'commander.help' && err.exitCode === 0)) return { kind: 'help', text: output.out };
    if (err.code === 'commander.version') return { kind: 'version', text: output.out };
    throw usageError(program, current.command, err);
  }
  if (invocation.value === undefined) throw new TypeError(`no command ran for ${JSON.stringify(argv)}`);
  return invocation.value;
}
