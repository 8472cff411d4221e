/**
 * What a shared cache may store (RFC 9111 §3, §5.2.2): no-store, private, authenticated
 * requests, Set-Cookie, Vary: *, statuses beyond 200, and targeted fields (RFC 9213).
 */
import { fail, info, judgeNotReused, judgeStillFresh, notApplicable, pass, PAST_ONE_SECOND_MS, twice, versioned, type Probe } from '../probe.js';

const notStored = (id: string, title: string, rfc: string, headers: Record<string, string>): Probe => ({
  id,
  title,
  rfc,
  level: 'MUST',
  async run(ctx) {
    return judgeNotReused(ctx, await twice(ctx, ctx.path(), versioned(headers)), 'not stored');
  },
});

const statusProbe = (status: number): Probe => ({
  id: `status-${status}`,
  title: `Origin ${status} with max-age=60: passed on unchanged (stored or not: policy)`,
  rfc: '9111 §3; 9110 §15',
  level: 'MAY',
  async run(ctx) {
    const pair = await twice(ctx, ctx.path(), (_req, n) => ({ status, headers: { 'cache-control': 'max-age=60' }, body: `v${n}` }));
    const stored = pair.count === 1 ? 'stored' : 'not stored';
    if (pair.first.status !== status || pair.second.status !== status) return fail(`answered ${pair.first.status} then ${pair.second.status} (${stored})`);
    return pass(`${status} passed on, ${stored}`);
  },
});

/** What a client's request directive does to a stored fresh answer: reported, not judged. */
const requestPolicy = (id: string, title: string, rfc: string, headers: Record<string, string>): Probe => ({
  id,
  title,
  rfc,
  level: 'policy',
  async run(ctx) {
    const pair = await twice(ctx, ctx.path(), versioned({ 'cache-control': 'max-age=60', etag: '"p1"' }), 0, { headers });
    if (pair.count === 1) return info('answered from cache (client directive ignored)');
    const conditional = ctx.seen(pair.path)[1]?.headers['if-none-match'] !== undefined;
    return info(`origin asked${conditional ? ' conditionally' : ''} (client directive honoured)`);
  },
});

export const storageProbes: Probe[] = [
  notStored('no-store', 'no-store, max-age=60: not stored', '9111 §5.2.2.5', { 'cache-control': 'no-store, max-age=60' }),
  notStored('private', 'private, max-age=60: not stored by a shared cache', '9111 §5.2.2.7', { 'cache-control': 'private, max-age=60' }),
  notStored('vary-star', 'Vary: * with max-age=60: never served from cache', '9111 §4.1', { 'cache-control': 'max-age=60', vary: '*' }),
  {
    id: 'authorization',
    title: 'Request with Authorization, answer max-age=60: not reused for another request',
    rfc: '9111 §3.5',
    level: 'MUST',
    async run(ctx) {
      const path = ctx.serve(ctx.path(), versioned({ 'cache-control': 'max-age=60' }));
      await ctx.get(path, { headers: { authorization: 'Basic dXNlcjpwYXNz' } });
      const second = await ctx.get(path);
      const forwarded = ctx.seen(path)[0]?.headers.authorization !== undefined;
      if (!forwarded) return pass(`credentials not sent to the origin, so the answer is not an authenticated one (${ctx.count(path)} origin requests)`);
      return ctx.count(path) === 2 ? pass('origin asked again') : fail(`authenticated answer reused (body ${second.body})`);
    },
  },
  {
    id: 'set-cookie',
    title: 'Set-Cookie answer (max-age=60): another client never gets the cookie',
    rfc: '9111 §7.3 (security)',
    level: 'SHOULD',
    async run(ctx) {
      const pair = await twice(ctx, ctx.path(), (_req, n) => ({ headers: { 'cache-control': 'max-age=60', 'set-cookie': `sid=user${n}` }, body: `v${n}` }));
      if (pair.count === 2) return pass('not shared (origin asked again)');
      return pair.second.headers['set-cookie'] === undefined ? pass('body shared, Set-Cookie withheld') : fail(`second client got ${pair.second.headers['set-cookie']}`);
    },
  },
  statusProbe(299),
  statusProbe(503),
  {
    id: 'cdn-cache-control',
    title: 'CDN-Cache-Control: max-age=60 over Cache-Control: max-age=1: reused after 2 s',
    rfc: '9213 §2.1, §3',
    level: 'MAY',
    async run(ctx) {
      return judgeStillFresh(ctx, await twice(ctx, ctx.path(), versioned({ 'cache-control': 'max-age=1', 'cdn-cache-control': 'max-age=60' }), PAST_ONE_SECOND_MS));
    },
  },
  {
    id: 'cdn-cache-control-no-store',
    title: 'CDN-Cache-Control: no-store over Cache-Control: max-age=60: not stored',
    rfc: '9213 §2.1, §3',
    level: 'MAY',
    async run(ctx) {
      return judgeNotReused(ctx, await twice(ctx, ctx.path(), versioned({ 'cache-control': 'max-age=60', 'cdn-cache-control': 'no-store' })), 'not stored');
    },
  },
  {
    id: 'cairn-cache-control',
    title: 'Cairn-Cache-Control: max-age=60 over Cache-Control: max-age=1: reused, field not shown to clients',
    rfc: '9213 §2.1',
    level: 'MAY',
    async run(ctx) {
      if (ctx.target.name !== 'cairn') return notApplicable('targets Cairn only');
      const pair = await twice(ctx, ctx.path(), versioned({ 'cache-control': 'max-age=1', 'cairn-cache-control': 'max-age=60' }), PAST_ONE_SECOND_MS);
      const verdict = await judgeStillFresh(ctx, pair);
      if (verdict.result !== 'pass') return verdict;
      return pair.second.headers['cairn-cache-control'] === undefined ? verdict : fail('reused, but Cairn-Cache-Control reached the client');
    },
  },
  requestPolicy('request-no-cache', 'Client Cache-Control: no-cache on a stored fresh answer (policy)', '9111 §5.2.1.4', { 'cache-control': 'no-cache' }),
  requestPolicy('request-max-age-0', 'Client Cache-Control: max-age=0 on a stored fresh answer (policy)', '9111 §5.2.1.1', { 'cache-control': 'max-age=0' }),
  requestPolicy('request-pragma', 'Client Pragma: no-cache on a stored fresh answer (policy)', '9111 §5.4', { pragma: 'no-cache' }),
];
