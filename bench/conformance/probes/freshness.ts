/** Freshness from Cache-Control (RFC 9111 §4.2, §5.2.2): lifetimes, precedence, directive syntax. */
import { describeReuse, fail, httpDate, judgeNotReused, judgeStillFresh, pass, PAST_ONE_SECOND_MS, reused, twice, versioned, type Probe } from '../probe.js';

const reuseProbe = (id: string, title: string, rfc: string, level: Probe['level'], cacheControl: string | string[]): Probe => ({
  id,
  title,
  rfc,
  level,
  async run(ctx) {
    const pair = await twice(ctx, ctx.path(), versioned({ 'cache-control': cacheControl }));
    if (pair.first.status >= 500) return fail(`first answer ${pair.first.status}`);
    return reused(pair) ? pass(describeReuse(pair)) : fail(describeReuse(pair));
  },
});

/** After `waitMs`, the answer must be the origin's second one (the stored one is stale). */
const staleProbe = (id: string, title: string, rfc: string, headers: Record<string, string>, waitMs = PAST_ONE_SECOND_MS): Probe => ({
  id,
  title,
  rfc,
  level: 'MUST',
  async run(ctx) {
    return judgeNotReused(ctx, await twice(ctx, ctx.path(), versioned(headers), waitMs));
  },
});

export const freshnessProbes: Probe[] = [
  reuseProbe('max-age-reuse', 'max-age=60: second GET answered from cache', '9111 §4.2.1', 'MAY', 'max-age=60'),
  staleProbe('max-age-expired', 'max-age=1: after 2 s not served stale (no stale permission)', '9111 §4.2.4', { 'cache-control': 'max-age=1' }),
  {
    id: 's-maxage-longer',
    title: 'max-age=1, s-maxage=60: still reused after 2 s',
    rfc: '9111 §5.2.2.10',
    level: 'MAY',
    async run(ctx) {
      return judgeStillFresh(ctx, await twice(ctx, ctx.path(), versioned({ 'cache-control': 'max-age=1, s-maxage=60' }), PAST_ONE_SECOND_MS));
    },
  },
  staleProbe('s-maxage-shorter', 'max-age=60, s-maxage=1: stale for a shared cache after 2 s', '9111 §5.2.2.10', { 'cache-control': 'max-age=60, s-maxage=1' }),
  reuseProbe('directive-case-reuse', 'MAX-AGE=60 (uppercase) reused', '9111 §5.2', 'MUST', 'MAX-AGE=60'),
  staleProbe('directive-case-expiry', 'MAX-AGE=1 (uppercase) wins over Expires +1 h: stale after 2 s', '9111 §5.2, §5.3', { 'cache-control': 'MAX-AGE=1', expires: httpDate(3600) }),
  staleProbe('no-cache-mixed-case', 'No-Cache, max-age=60: not reused without revalidation', '9111 §5.2.2.4', { 'cache-control': 'No-Cache, max-age=60' }, 0),
  staleProbe('max-age-zero', 'max-age=0: not reused without revalidation', '9111 §4.2.4', { 'cache-control': 'max-age=0' }, 0),
  reuseProbe('quoted-max-age', 'max-age="60" (quoted-string form) accepted', '9111 §5.2', 'SHOULD', 'max-age="60"'),
  {
    id: 'cc-field-lines',
    title: 'Cache-Control as two field lines (max-age=60 / public): 200 and reused',
    rfc: '9110 §5.3',
    level: 'MUST',
    async run(ctx) {
      const pair = await twice(ctx, ctx.path(), versioned({ 'cache-control': ['max-age=60', 'public'] }));
      if (pair.first.status !== 200 || pair.second.status !== 200) return fail(`answered ${pair.first.status} then ${pair.second.status}`);
      return reused(pair) ? pass(describeReuse(pair)) : fail(`lines not combined: ${describeReuse(pair)}`);
    },
  },
];
