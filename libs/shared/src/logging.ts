/**
 * The logger factory: one pino logger per service, child loggers per component. Every line
 * carries an ISO timestamp. The level can change while the process runs (SIGHUP with
 * LOG_LEVEL_FILE, run-service.ts): pino gives each child the level its parent had when the
 * child was made, so the loggers made from a root are tracked to be moved with it.
 */
import { pino, type Logger } from 'pino';

export type { Logger } from 'pino';

const descendants = new WeakMap<Logger, Set<WeakRef<Logger>>>();

export function createLogger(service: string, level: string): Logger {
  // Weak: fastify makes a child per request; a tracked child must not outlive its request.
  const children = new Set<WeakRef<Logger>>();
  // Pruned when it doubles, so many live children at once (requests in flight) cost no rescans per child.
  let pruneAt = 4096;
  const root = pino({
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    onChild: (child) => {
      children.add(new WeakRef(child));
      if (children.size <= pruneAt) return;
      for (const ref of children) if (ref.deref() === undefined) children.delete(ref);
      pruneAt = Math.max(4096, children.size * 2);
    },
  });
  descendants.set(root, children);
  return root;
}

/** Sets the level of a logger made by createLogger and of every child made from it so far. */
export function setLogLevel(root: Logger, level: string): void {
  root.level = level;
  for (const ref of descendants.get(root) ?? []) {
    const child = ref.deref();
    if (child === undefined) descendants.get(root)?.delete(ref);
    else child.level = level;
  }
}
