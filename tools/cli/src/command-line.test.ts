import { describe, expect, it } from 'vitest';
import { parseCommandLine, type CommandSpec, type Program } from './command-line.js';
import { UsageError } from './errors.js';

const get: CommandSpec = { path: ['rules', 'get'], summary: 'get', args: [{ name: 'id', required: true }], options: [], examples: [] };
const pub: CommandSpec = {
  path: ['pub'],
  summary: 'pub',
  args: [
    { name: 'subject', required: true },
    { name: 'payload', required: true },
  ],
  options: [{ name: 'header', short: 'H', type: 'string', multiple: true, description: 'header' }],
  examples: [],
};
const program: Program<CommandSpec> = {
  name: 'cairn',
  description: 'test',
  commands: [get, pub],
  globalOptions: [
    { name: 'json', type: 'boolean', description: 'json' },
    { name: 'help', short: 'h', type: 'boolean', description: 'help' },
    { name: 'version', short: 'V', type: 'boolean', description: 'version' },
  ],
  epilogue: 'Exit codes: …',
};

const usageError = (argv: string[]): string => {
  try {
    parseCommandLine(program, argv);
  } catch (err) {
    if (err instanceof UsageError) return err.message;
    throw err;
  }
  throw new Error(`no usage error for ${argv.join(' ')}`);
};

describe('parseCommandLine', () => {
  it('finds the command by its words and names its arguments', () => {
    expect(parseCommandLine(program, ['rules', 'get', 'products', '--json'])).toMatchObject({ kind: 'run', command: get, args: { id: 'products' }, options: { json: true } });
  });

  it('takes global options before the command words too', () => {
    expect(parseCommandLine(program, ['--json', 'rules', 'get', 'x'])).toMatchObject({ kind: 'run', args: { id: 'x' }, options: { json: true } });
  });

  it('collects a repeatable option into a list and keeps "-" as a positional', () => {
    expect(parseCommandLine(program, ['pub', 'a.b', '-', '-H', 'A: 1', '-H', 'B: 2'])).toMatchObject({ args: { subject: 'a.b', payload: '-' }, options: { header: ['A: 1', 'B: 2'] } });
  });

  it.each([
    [['rules', 'get'], 'missing <id>'],
    [['rules', 'get', 'a', 'b'], 'unexpected argument "b"'],
    [['rules', 'get', 'a', '-H', 'x: y'], 'rules get: unknown option -H'],
    [['rules', 'get', 'a', '--nope'], "unknown option '--nope'"],
    [['rules', 'nope'], 'unknown command "rules nope"'],
    [['rules'], 'rules: a command is required'],
    [[], 'a command is required'],
  ])('refuses %j with a usage error saying %s', (argv, message) => {
    expect(usageError(argv)).toContain(message);
  });

  it('answers --help with the command help, which names its usage', () => {
    const invocation = parseCommandLine(program, ['rules', 'get', '--help']);
    expect(invocation.kind === 'help' && invocation.text).toContain('Usage: cairn rules get <id>');
  });

  it('puts the epilogue in the main help only', () => {
    const main = parseCommandLine(program, ['--help']);
    const group = parseCommandLine(program, ['help', 'rules']);
    expect(main.kind === 'help' && main.text).toContain('Exit codes');
    expect(group.kind === 'help' && group.text).toContain('rules get <id>');
    expect(group.kind === 'help' && group.text).not.toContain('Exit codes');
  });

  it('answers --version alone with the version', () => {
    expect(parseCommandLine(program, ['--version']).kind).toBe('version');
  });
});
