/**
 * The CLI's errors: each carries the exit code it ends the command with and a message that is
 * the one line printed on stderr.
 */
import { CairnError } from '@cairn/shared';
import { exitCodes, type ExitCode } from './exit-codes.js';

export abstract class CliError extends CairnError {
  abstract readonly exitCode: ExitCode;
}

/** Bad arguments or settings; nothing was sent. */
export class UsageError extends CliError {
  readonly exitCode = exitCodes.usage;
  constructor(message: string) {
    super('CAIRN_CLI_USAGE', message);
  }
}

/** The operation was refused or failed: a 4xx/5xx answer, a failed check. */
export class OperationFailedError extends CliError {
  readonly exitCode = exitCodes.failed;
  constructor(message: string, options: { status?: number; cause?: unknown } = {}) {
    super('CAIRN_CLI_FAILED', message, options);
  }
}

/** A service or NATS did not answer at all. */
export class UnreachableError extends CliError {
  readonly exitCode = exitCodes.unreachable;
  constructor(what: string, url: string, cause: unknown) {
    super('CAIRN_CLI_UNREACHABLE', `cannot reach ${what} at ${url}: ${reasonOf(cause)}`, { cause });
  }
}

/** The innermost useful reason: fetch wraps the socket error (ECONNREFUSED) in its cause. */
export function reasonOf(err: unknown): string {
  let current: unknown = err;
  for (let depth = 0; depth < 5; depth++) {
    const cause = (current as { cause?: unknown } | null)?.cause;
    if (cause === undefined || cause === null) break;
    current = cause;
  }
  const { code, message } = (current ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && typeof message === 'string' && !message.includes(code)) return `${code} ${message}`;
  if (typeof message === 'string' && message !== '') return message;
  return String(current);
}
