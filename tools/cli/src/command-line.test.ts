import { describe, expect, it } from 'vitest';
import { parseCommandLine, type CommandSpec, type Program } from './command-line.js';
import { UsageError } from './errors.js';

const get: CommandSpec = { path: ['rules', 'get'], summary: 'get one rule', args: [{ name: 'id', required: true }], options: [], examples: [] };
const pub: CommandSpec = {
  path: ['pub'],
  summary: 'publish',
  args: [
    { name: 'subject', required: true },
    { name: 'payload', required: false },
  ],
  options: [
    { name: 'header', short: 'H', type: 'string', multiple: true, placeholder: 'Name: value', description: 'header' },
    { name: 'config-dir', type: 'string', placeholder: 'dir', description: 'dir' },
  ],
  examples: ['cairn pub a.b -'],
};
const program: Program<CommandSpec> = {
  name: 'cairn',
  description: 'test',
  version: '1.2.3',
  commands: [get, pub],
  globalOptions: [
    { name: 'json', type: 'boolean', description: 'json' },
    { name: 'rules-url', type: 'string', placeholder: 'url', description: 'rules' },
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

const text = (argv: string[]): string => {
  const invocation = parseCommandLine(program, argv);
  if (invocation.kind === 'run') throw new Error(`${argv.join(' ')} ran a command`);
  return invocation.text;
};

describe('parseCommandLine', () => {
  it('finds the command by its words and names its arguments', () => {
    expect(parseCommandLine(program, ['rules', 'get', 'products'])).toMatchObject({ kind: 'run', command: get, args: { id: 'products' } });
  });

  it('takes global options after the command words', () => {
    expect(parseCommandLine(program, ['rules', 'get', 'x', '--json', '--rules-url', 'http://r'])).toMatchObject({ options: { json: true, 'rules-url': 'http://r' } });
  });

  it('takes global options before the command words', () => {
    expect(parseCommandLine(program, ['--json', 'rules', 'get', 'x'])).toMatchObject({ kind: 'run', args: { id: 'x' }, options: { json: true } });
  });

  it('names options by their long names, dashes kept', () => {
    expect(parseCommandLine(program, ['pub', 'a.b', 'x', '--config-dir', '/etc/cairn'])).toMatchObject({ options: { 'config-dir': '/etc/cairn' } });
  });

  it('collects a repeatable option into a list', () => {
    expect(parseCommandLine(program, ['pub', 'a.b', 'x', '-H', 'A: 1', '-H', 'B: 2'])).toMatchObject({ options: { header: ['A: 1', 'B: 2'] } });
  });

  it('keeps "-" as an argument', () => {
    expect(parseCommandLine(program, ['pub', 'a.b', '-'])).toMatchObject({ args: { subject: 'a.b', payload: '-' } });
  });

  it('takes an option value that starts with a dash', () => {
    expect(parseCommandLine(program, ['pub', 'a.b', '-H', '-x'])).toMatchObject({ options: { header: ['-x'] } });
  });

  it('leaves an optional argument and an option not given undefined', () => {
    expect(parseCommandLine(program, ['pub', 'a.b'])).toMatchObject({ args: { payload: undefined }, options: { header: undefined, json: undefined } });
  });

  it.each([
    [['rules', 'get'], "rules get: missing required argument 'id' (see \"cairn rules get --help\")"],
    [['rules', 'get', 'a', 'b'], 'rules get: too many arguments'],
    [['rules', 'get', 'a', '-H', 'x: y'], "rules get: unknown option '-H'"],
    [['rules', 'get', 'a', '--nope'], "rules get: unknown option '--nope'"],
    [['pub', 'a.b', '-H'], "pub: option '-H, --header <Name: value>' argument missing"],
    [['--nope'], "unknown option '--nope'"],
    [['nope'], "unknown command 'nope' (see \"cairn --help\")"],
    [['rules', 'nope'], "rules: unknown command 'nope'"],
    [['rules'], 'rules: a command is required (see "cairn rules --help")'],
    [[], 'a command is required (see "cairn --help")'],
  ])('refuses %j with a usage error saying %s', (argv, message) => {
    expect(usageError(argv)).toContain(message);
  });

  it('says a usage error in one line', () => {
    expect(usageError(['rules', 'get', 'a', 'b'])).not.toContain('\n');
  });

  it('answers --help with the command help, which names its usage', () => {
    expect(text(['rules', 'get', '--help'])).toContain('Usage: cairn rules get [options] <id>');
  });

  it('answers -h like --help', () => {
    expect(text(['pub', '-h'])).toContain('Usage: cairn pub [options] <subject> [payload]');
  });

  it("shows a command's examples and the global options in its help", () => {
    const help = text(['pub', '--help']);
    expect(help).toContain('Examples:\n  cairn pub a.b -');
    expect(help).toContain('Global Options:');
    expect(help).toContain('--rules-url <url>');
  });

  it('lists every command under its full words in the main help', () => {
    expect(text(['--help'])).toMatch(/rules get <id> +get one rule/);
  });

  it('answers "help <group>" with the group help, which lists its commands', () => {
    expect(text(['help', 'rules'])).toMatch(/rules get <id> +get one rule/);
  });

  it('puts the epilogue in the main help', () => {
    expect(text(['--help'])).toContain('Exit codes: …');
  });

  it('leaves the epilogue out of a group help', () => {
    expect(text(['rules', '--help'])).not.toContain('Exit codes');
  });

  it('answers --version and -V with the name and version', () => {
    expect(parseCommandLine(program, ['--version'])).toEqual({ kind: 'version', text: 'cairn 1.2.3\n' });
    expect(parseCommandLine(program, ['-V'])).toEqual({ kind: 'version', text: 'cairn 1.2.3\n' });
  });
});
