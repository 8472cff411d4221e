/** The `cairn` command's exit codes, the contract scripts rely on (listed in `cairn --help`). */
export const exitCodes = {
  /** The operation succeeded, or the check found nothing wrong. */
  ok: 0,
  /** The operation failed (the server answered 4xx/5xx) or the check found problems. */
  failed: 1,
  /** Bad arguments or settings: nothing was attempted. */
  usage: 2,
  /** The rules or invalidation service, a gateway's admin port or NATS could not be reached. */
  unreachable: 3,
} as const;

export type ExitCode = (typeof exitCodes)[keyof typeof exitCodes];

export const exitCodesHelp = `Exit codes:
  0  ok
  1  the operation failed or the check found problems (the server answered 4xx/5xx, config invalid)
  2  usage error (bad arguments or settings)
  3  could not reach the service or NATS`;
