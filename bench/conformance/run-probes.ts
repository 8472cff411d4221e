/**
 * Runs every probe against one proxy, a few at a time (each probe has its own paths, so they
 * cannot disturb each other), each bounded by a timeout. A probe that throws or times out is
 * a fail carrying the error, never a crash of the run.
 */
import type { ScriptedOrigin } from './origin.js';
import { probeContext, type Probe, type Verdict } from './probe.js';
import type { Target } from './proxies/target.js';

export const PROBE_TIMEOUT_MS = 20_000;
const CONCURRENCY = 6;

async function runOne(probe: Probe, target: Target, origin: ScriptedOrigin): Promise<Verdict> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Verdict>((resolve) => {
    timer = setTimeout(() => resolve({ result: 'fail', reason: `probe timed out after ${PROBE_TIMEOUT_MS} ms` }), PROBE_TIMEOUT_MS);
  });
  try {
    return await Promise.race([probe.run(probeContext(target, origin, probe.id)), timeout]);
  } catch (err) {
    return { result: 'fail', reason: `error: ${(err as Error).message}` };
  } finally {
    clearTimeout(timer);
  }
}

export async function runProbes(probes: readonly Probe[], target: Target, origin: ScriptedOrigin): Promise<Map<string, Verdict>> {
  const verdicts = new Map<string, Verdict>();
  let next = 0;
  const worker = async () => {
    while (next < probes.length) {
      const probe = probes[next++]!;
      verdicts.set(probe.id, await runOne(probe, target, origin));
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return verdicts;
}
