/** Running the machine's commands for the compose test: captured output, a bound on time, an error that shows both. */
import { spawn, type SpawnOptions } from 'node:child_process';

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export class CommandError extends Error {
  constructor(
    readonly command: string,
    readonly result: CommandResult,
  ) {
    const output = `${result.stderr}\n${result.stdout}`.trim().split('\n').slice(-30).join('\n');
    super(`\`${command}\` exited with ${result.code ?? 'a signal'}${output === '' ? '' : `:\n${output}`}`);
    this.name = 'CommandError';
  }
}

export interface RunOptions extends Pick<SpawnOptions, 'cwd' | 'env'> {
  /** Killed (SIGKILL) after this long; default 10 minutes. */
  timeoutMs?: number;
  /** Written to the command's stdin, then closed. */
  input?: string | NodeJS.ReadableStream;
  /** Show the command's output as it runs (long builds), besides capturing it. */
  echo?: boolean;
}

/** Runs a command to its end and returns what it printed, whatever its exit code. */
export function run(command: string, args: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (options.echo === true) process.stdout.write(chunk);
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (options.echo === true) process.stderr.write(chunk);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 600_000);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    if (typeof options.input === 'string') child.stdin?.end(options.input);
    else if (options.input !== undefined && child.stdin !== null) options.input.pipe(child.stdin);
    else child.stdin?.end();
  });
}

/** Runs a command that must succeed; its stdout, or a CommandError with the output's tail. */
export async function must(command: string, args: readonly string[], options: RunOptions = {}): Promise<string> {
  const result = await run(command, args, options);
  if (result.code !== 0) throw new CommandError([command, ...args].join(' '), result);
  return result.stdout;
}

/** Whether a command exists and exits 0 with these arguments. */
export async function succeeds(command: string, args: readonly string[]): Promise<boolean> {
  try {
    return (await run(command, args, { timeoutMs: 30_000 })).code === 0;
  } catch {
    // Not installed (spawn's ENOENT) is the answer asked for, not a failure.
    return false;
  }
}
