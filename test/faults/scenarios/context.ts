/** What every scenario group gets: the system, the two long-lived gateways, the report. */
import type { FaultSystem } from '../lib/system.js';
import type { ServiceProcess } from '../lib/processes.js';
import type { Report } from '../lib/report.js';
import { get, json, pool, within } from '../lib/probes.js';

export interface Scenario {
  sys: FaultSystem;
  /** The attacked gateway. */
  a: ServiceProcess;
  /** A clean reference gateway on the same origin: what an unpoisoned cache answers. */
  b: ServiceProcess;
  report: Report;
}

/** Fetches each path until it is a HIT (fills and stores it); returns how many became HITs. */
export async function warm(gateway: ServiceProcess, paths: readonly string[], concurrency = 20): Promise<number> {
  let hits = 0;
  await pool(paths, concurrency, async (path) => {
    const ok = await within(3000, async () => (await get(`${gateway.url}${path}`)).cache === 'HIT', 20);
    if (ok) hits++;
  });
  return hits;
}

/** Paths (of `paths`) that still serve a body other than the origin's current one, after `boundMs`. */
export async function staleAfter(sys: FaultSystem, gateway: ServiceProcess, paths: readonly string[], boundMs: number): Promise<string[]> {
  let stale: string[] = [...paths];
  await within(boundMs, async () => {
    const still: string[] = [];
    await pool(stale, 20, async (path) => {
      const answer = await get(`${gateway.url}${path}`).catch(() => undefined);
      if (answer === undefined || answer.body !== sys.origin.bodyFor(path)) still.push(path);
    });
    stale = still;
    return stale.length === 0;
  }, 250);
  return stale;
}

/** The gateway's /ready answer (sequences and counts are there whether it is ready or not). */
export async function readyJson(gateway: ServiceProcess): Promise<{ rules?: { revision?: number; count?: number }; invalidations?: { appliedSeq?: number } }> {
  return (await json<Record<string, never>>(`${gateway.adminUrl}/ready`)).value;
}
