/**
 * Runs the real `cairn` command as a child process, through its bin and from the TypeScript
 * sources (CAIRN_CLI_FROM_SOURCE=1, so a built dist/ does not hide a change), with only the
 * environment a test gives it.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../bin/cairn.js', import.meta.url));

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stderr split into lines, without the empty last one. */
  stderrLines: string[];
  /** stdout parsed as JSON (for --json runs). */
  json<T = unknown>(): T;
}

export function runCairn(args: readonly string[], env: Record<string, string>, input?: string): Promise<CliRun> {
  const child = spawn(process.execPath, [bin, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', CAIRN_CLI_FROM_SOURCE: '1', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end(input ?? '');
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({
        code,
        stdout,
        stderr,
        stderrLines: stderr.split('\n').filter((line) => line !== ''),
        json: <T>() => JSON.parse(stdout) as T,
      }),
    );
  });
}
