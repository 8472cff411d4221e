/**
 * Ending a process that has the store open. `process.exit` joins libuv's thread pool, where
 * lmdb-js's write thread may be holding LMDB's write lock while it waits for this thread to
 * run a transaction callback: the process then never ends, and every other process on the
 * store (the node's other workers, a restarted gateway) waits on that lock for good. A
 * process killed outright leaves LMDB consistent and its lock recoverable (the kill -9 fault
 * scenario), so a gateway process that must stop now kills itself instead of exiting.
 */
export function exitNow(why: string, err?: unknown): never {
  // Written synchronously (stderr is a file or pipe): nothing of it is lost to the kill.
  process.stderr.write(`gateway: ${why}${err === undefined ? '' : `: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`}\n`);
  process.kill(process.pid, 'SIGKILL');
  // SIGKILL to itself is not caught or deferred; this only satisfies the type.
  throw new Error('unreachable');
}
