/**
 * What a `cairn` command is: its entry in the command table and what it does. Commands return
 * their result; main.ts prints it (JSON with --json) and exits with its code.
 */
import type { CommandSpec, OptionValue } from './command-line.js';
import type { ExitCode } from './exit-codes.js';
import type { Settings } from './settings.js';

export interface CommandResult {
  /** What `--json` prints on stdout. */
  data: unknown;
  /** What is printed on stdout otherwise. */
  text: string;
  /** One line each on stderr (problems found, a partial failure). */
  problems?: readonly string[];
  exitCode?: ExitCode;
}

export interface CommandInput {
  args: Record<string, string | undefined>;
  options: Record<string, OptionValue>;
  settings: Settings;
  stdin: NodeJS.ReadStream;
}

export interface CairnCommand extends CommandSpec {
  run(input: CommandInput): Promise<CommandResult>;
}
