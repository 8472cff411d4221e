/** A proxy under test, as the probes see it. */
import { ask } from '../client.js';
import { READY_PATH } from '../origin.js';

export type ProxyName = 'cairn' | 'nginx' | 'varnish';

export interface Target {
  name: ProxyName;
  url: string;
  /** Facts about how it was started that the table should show (a refused setting, a version). */
  notes: string[];
  /** Whether request headers beyond the cache key reach the origin (Cairn: defaultForwardHeaders). */
  forwardsRequestHeaders: boolean;
  /** The process started (nginx's master, varnishd's manager, the gateway): load benchmarks sum its tree's CPU. */
  pid: number;
}

export type Started = { ok: true; target: Target } | { ok: false; reason: string };

/** The origin's ready path answered 200 through the proxy. */
export const answersThrough = (url: string) => async () => (await ask(url, READY_PATH, { timeoutMs: 1000 })).status === 200;
