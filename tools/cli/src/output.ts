/** Prints a command's result: JSON (one document) with --json, its text otherwise; problems on stderr. */
import type { CommandResult } from './command.js';

export interface OutputStreams {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

const line = (text: string): string => (text === '' || text.endsWith('\n') ? text : `${text}\n`);

export function printResult(result: CommandResult, json: boolean, streams: OutputStreams): void {
  streams.stdout.write(json ? `${JSON.stringify(result.data)}\n` : line(result.text));
  for (const problem of result.problems ?? []) streams.stderr.write(line(`cairn: ${problem}`));
}

export function printError(message: string, streams: OutputStreams): void {
  streams.stderr.write(line(`cairn: ${message.replace(/\s*\n\s*/g, ' ')}`));
}
