/** Serving stale (RFC 9111 §4.2.4, §5.2.2.2; RFC 5861): only with permission, never past must-revalidate. */
import type { Script } from '../origin.js';
import { describeReuse, fail, judgeNotReused, pass, PAST_ONE_SECOND_MS, twice, type Probe } from '../probe.js';

/** `v1` with `cacheControl`, then whatever `later` answers. */
const thenScript = (cacheControl: string, later: Script): Script => (req, n) => (n === 1 ? { headers: { 'cache-control': cacheControl }, body: 'v1' } : later(req, n));

export const staleProbes: Probe[] = [
  {
    id: 'swr',
    title: 'max-age=1, stale-while-revalidate=30: stale served, one background refresh, then fresh',
    rfc: '5861 §3',
    level: 'MAY',
    async run(ctx) {
      const cc = 'max-age=1, stale-while-revalidate=30';
      const path = ctx.path();
      const pair = await twice(ctx, path, (_req, n) => ({ headers: { 'cache-control': cc }, body: `v${n}` }), PAST_ONE_SECOND_MS);
      if (pair.second.body !== 'v1') return fail(`stale not served: ${describeReuse(pair)}`);
      if (!(await ctx.until(() => ctx.count(path) >= 2, 3000))) return fail('v1 served, origin not asked within 3 s: taken as fresh, not refreshed');
      await ctx.sleep(200);
      const third = await ctx.get(path);
      if (third.body !== 'v2') return fail(`refreshed, but the next answer was ${third.body}`);
      return ctx.count(path) === 2 ? pass('stale v1, one background request, then v2 from cache') : fail(`${ctx.count(path)} origin requests for one refresh`);
    },
  },
  {
    id: 'sie-healthy-origin',
    title: 'max-age=1, stale-if-error=3600, healthy origin: not served stale after 2 s',
    rfc: '9111 §4.2.4; 5861 §4',
    level: 'MUST',
    async run(ctx) {
      const cc = 'max-age=1, stale-if-error=3600';
      return judgeNotReused(ctx, await twice(ctx, ctx.path(), (_req, n) => ({ headers: { 'cache-control': cc }, body: `v${n}` }), PAST_ONE_SECOND_MS), 'healthy origin asked');
    },
  },
  {
    id: 'sie-origin-error',
    title: 'max-age=1, stale-if-error=3600, origin answers 503: stale served',
    rfc: '5861 §4',
    level: 'MAY',
    async run(ctx) {
      const pair = await twice(ctx, ctx.path(), thenScript('max-age=1, stale-if-error=3600', () => ({ status: 503, headers: { 'cache-control': 'no-store' }, body: 'down' })), PAST_ONE_SECOND_MS);
      return pair.second.status === 200 && pair.second.body === 'v1' ? pass('stale v1 served on 503') : fail(`answered ${pair.second.status} ${pair.second.body.slice(0, 40)}`);
    },
  },
  {
    id: 'must-revalidate-down',
    title: 'max-age=1, must-revalidate, origin down: error (504), never the stale answer',
    rfc: '9111 §5.2.2.2',
    level: 'MUST',
    async run(ctx) {
      const pair = await twice(ctx, ctx.path(), thenScript('max-age=1, must-revalidate', () => ({ drop: true })), PAST_ONE_SECOND_MS);
      if (pair.second.body === 'v1') return fail(`stale answer served (${pair.second.status})`);
      return pair.second.status >= 500 ? pass(`answered ${pair.second.status}${pair.second.status === 504 ? '' : ' (504 is the SHOULD)'}`) : fail(`answered ${pair.second.status}`);
    },
  },
  {
    id: 'must-revalidate-error',
    title: 'max-age=1, must-revalidate, origin answers 500: not the stale answer',
    rfc: '9111 §5.2.2.2',
    level: 'MUST',
    async run(ctx) {
      const pair = await twice(ctx, ctx.path(), thenScript('max-age=1, must-revalidate', () => ({ status: 500, headers: { 'cache-control': 'no-store' }, body: 'broken' })), PAST_ONE_SECOND_MS);
      return pair.second.body === 'v1' ? fail(`stale answer served (${pair.second.status})`) : pass(`answered ${pair.second.status}`);
    },
  },
];
