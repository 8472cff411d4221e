/**
 * What a probe is: one behaviour, the RFC section and requirement level it comes from,
 * and a function that drives the scripted origin and the proxy and returns a verdict with a
 * one-line reason. Cache use is observed at the origin (requests counted per path), so the
 * same probe judges every proxy without reading any proxy-specific header.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ask, type Answer, type Ask } from './client.js';
import type { Reply, ScriptedOrigin, Script, Seen } from './origin.js';
import type { Target } from './proxies/target.js';

/** MUST/SHOULD/MAY as the cited text says; `policy` probes report behaviour, never pass/fail. */
export type Level = 'MUST' | 'SHOULD' | 'MAY' | 'policy';

export interface Verdict {
  result: 'pass' | 'fail' | 'info' | 'n/a';
  reason: string;
}

export const pass = (reason: string): Verdict => ({ result: 'pass', reason });
export const fail = (reason: string): Verdict => ({ result: 'fail', reason });
export const info = (reason: string): Verdict => ({ result: 'info', reason });
export const notApplicable = (reason: string): Verdict => ({ result: 'n/a', reason });

export interface ProbeContext {
  target: Target;
  origin: ScriptedOrigin;
  /** This probe's own path on this proxy; `name` tells several paths of one probe apart. */
  path(name?: string): string;
  /** Registers `script` for `path` and returns the path. */
  serve(path: string, script: Script): string;
  get(path: string, options?: Ask): Promise<Answer>;
  /** Requests the origin saw on `path`. */
  seen(path: string): Seen[];
  count(path: string): number;
  sleep(ms: number): Promise<void>;
  /** Polls until `check` holds (every 100 ms, at most `timeoutMs`); returns whether it did. */
  until(check: () => boolean, timeoutMs: number): Promise<boolean>;
}

export interface Probe {
  id: string;
  title: string;
  rfc: string;
  level: Level;
  run(ctx: ProbeContext): Promise<Verdict>;
}

export function probeContext(target: Target, origin: ScriptedOrigin, probeId: string): ProbeContext {
  return {
    target,
    origin,
    path: (name = '') => `/${target.name}/${probeId}${name === '' ? '' : `/${name}`}`,
    serve(path, script) {
      origin.on(path, script);
      return path;
    },
    get: (path, options) => ask(target.url, path, options),
    seen: (path) => origin.seen(path),
    count: (path) => origin.count(path),
    sleep: (ms) => sleep(ms),
    async until(check, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (!check()) {
        if (Date.now() >= deadline) return false;
        await sleep(100);
      }
      return true;
    },
  };
}

/** Past a 1-second freshness lifetime, with the Date field's 1-second granularity. */
export const PAST_ONE_SECOND_MS = 2200;

/** A script answering `v<n>` with the same headers every time. */
export const versioned = (headers: Reply['headers'], extra: Omit<Reply, 'headers' | 'body'> = {}): Script => (_req, n) => ({ headers, body: `v${n}`, ...extra });

/** An HTTP-date `offsetSeconds` from now in IMF-fixdate (RFC 9110 §5.6.7). */
export const httpDate = (offsetSeconds: number) => new Date(Date.now() + offsetSeconds * 1000).toUTCString();

export interface Pair {
  path: string;
  first: Answer;
  second: Answer;
  /** Origin requests once the second answer arrived. */
  count: number;
}

/** Two GETs of one path, `waitMs` apart: the common shape of a storage or freshness probe. */
export async function twice(ctx: ProbeContext, path: string, script: Script, waitMs = 0, second: Ask = {}): Promise<Pair> {
  ctx.serve(path, script);
  const first = await ctx.get(path);
  if (waitMs > 0) await ctx.sleep(waitMs);
  const answer = await ctx.get(path, second);
  return { path, first, second: answer, count: ctx.count(path) };
}

/** How long a probe watches for a background refresh after a reused answer. */
const BACKGROUND_WATCH_MS = 1000;

/** Whether the origin got another request (a background refresh) within a second of `pair`. */
const refreshedInBackground = (ctx: ProbeContext, pair: Pair) => ctx.until(() => ctx.count(pair.path) > 1, BACKGROUND_WATCH_MS);

/**
 * The verdict of a probe whose stored answer must not be reused: pass when the second
 * answer is the origin's; a fail says whether the stale answer was taken for fresh or served
 * stale while the origin was asked in the background.
 */
export async function judgeNotReused(ctx: ProbeContext, pair: Pair, passReason = 'not reused'): Promise<Verdict> {
  if (fromOrigin(pair)) return pass(`${passReason}: origin asked, v2`);
  if (pair.second.status !== 200) return fail(`answered ${pair.second.status}`);
  return (await refreshedInBackground(ctx, pair))
    ? fail(`stale ${pair.second.body} served, origin asked only in the background`)
    : fail(`${pair.second.body} reused as fresh, origin not asked`);
}

/**
 * The verdict of a probe whose stored answer must still be fresh after a wait: reused, and
 * no background refresh (which would mean it was served as stale, not as fresh).
 */
export async function judgeStillFresh(ctx: ProbeContext, pair: Pair): Promise<Verdict> {
  if (!reused(pair)) return fail(describeReuse(pair));
  return (await refreshedInBackground(ctx, pair)) ? fail('served as stale with a background refresh, not as fresh') : pass('reused as fresh, origin not asked');
}

/** "reused" when the second answer came from the cache, else what the origin was asked. */
export const describeReuse = (pair: Pair) =>
  pair.count === 1 ? `reused from cache (body ${pair.second.body})` : `origin asked ${pair.count}× (second body ${pair.second.body}, status ${pair.second.status})`;

/** The second answer was the stored first one without the origin being asked. */
export const reused = (pair: Pair) => pair.count === 1 && pair.second.body === 'v1' && pair.second.status === 200;

/**
 * The second answer is the origin's second one: the stored answer was not reused (the
 * scripts send no validators here, so a revalidation is a full 200 with `v2`).
 */
export const fromOrigin = (pair: Pair) => pair.second.body === 'v2';
