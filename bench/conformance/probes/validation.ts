/** Validation (RFC 9111 §4.3): the proxy's own revalidation and the client's conditionals. */
import { fail, httpDate, pass, PAST_ONE_SECOND_MS, type Probe } from '../probe.js';

const lastModified = httpDate(-86400);

export const validationProbes: Probe[] = [
  {
    id: 'revalidate-etag-304',
    title: 'Stale entry with ETag: revalidated with If-None-Match; the 304 headers update the entry',
    rfc: '9111 §4.3.1, §4.3.4',
    level: 'MUST',
    async run(ctx) {
      const path = ctx.serve(ctx.path(), (_req, n) => ({
        headers: { 'cache-control': n === 1 ? 'max-age=1' : 'max-age=60', etag: '"e1"', 'x-version': String(n) },
        body: `v${n}`,
      }));
      await ctx.get(path);
      await ctx.sleep(PAST_ONE_SECOND_MS);
      await ctx.get(path);
      await ctx.until(() => ctx.count(path) >= 2, 3000);
      await ctx.sleep(200);
      const third = await ctx.get(path);
      const conditional = ctx.seen(path)[1]?.headers['if-none-match'];
      if (conditional === undefined) return fail(`refetched without If-None-Match (${ctx.count(path)} origin requests)`);
      if (third.status !== 200 || third.body !== 'v1') return fail(`after the 304: ${third.status} body ${third.body}`);
      if (third.headers['x-version'] !== '2') return fail(`stored headers not updated (x-version ${third.headers['x-version']})`);
      return ctx.count(path) === 2 ? pass('If-None-Match sent, 304 merged, refreshed entry reused') : fail(`headers updated but ${ctx.count(path)} origin requests`);
    },
  },
  {
    id: 'revalidate-ims',
    title: 'Stale entry with Last-Modified only: revalidated with If-Modified-Since',
    rfc: '9111 §4.3.1',
    level: 'SHOULD',
    async run(ctx) {
      const path = ctx.serve(ctx.path(), (_req, n) => ({ headers: { 'cache-control': 'max-age=1', 'last-modified': lastModified }, body: `v${n}` }));
      await ctx.get(path);
      await ctx.sleep(PAST_ONE_SECOND_MS);
      const second = await ctx.get(path);
      await ctx.until(() => ctx.count(path) >= 2, 3000);
      const ims = ctx.seen(path)[1]?.headers['if-modified-since'];
      return ims !== undefined ? pass(`If-Modified-Since: ${ims} (answer ${second.status} ${second.body})`) : fail(`refetched without If-Modified-Since (${ctx.count(path)} origin requests)`);
    },
  },
  {
    id: 'client-inm-hit',
    title: 'Client If-None-Match matching a stored fresh answer: 304',
    rfc: '9111 §4.3.2',
    level: 'SHOULD',
    async run(ctx) {
      const path = ctx.serve(ctx.path(), (_req, n) => ({ headers: { 'cache-control': 'max-age=60', etag: '"e1"' }, body: `v${n}` }));
      await ctx.get(path);
      const answer = await ctx.get(path, { headers: { 'if-none-match': '"e1"' } });
      return answer.status === 304 ? pass(`304 (${ctx.count(path)} origin requests)`) : fail(`answered ${answer.status}`);
    },
  },
  {
    id: 'client-ims-hit',
    title: 'Client If-Modified-Since = stored Last-Modified: 304',
    rfc: '9111 §4.3.2',
    level: 'SHOULD',
    async run(ctx) {
      const path = ctx.serve(ctx.path(), (_req, n) => ({ headers: { 'cache-control': 'max-age=60', 'last-modified': lastModified }, body: `v${n}` }));
      await ctx.get(path);
      const answer = await ctx.get(path, { headers: { 'if-modified-since': lastModified } });
      return answer.status === 304 ? pass(`304 (${ctx.count(path)} origin requests)`) : fail(`answered ${answer.status}`);
    },
  },
  {
    id: 'client-inm-mismatch',
    title: 'Client If-None-Match not matching: full 200',
    rfc: '9110 §13.1.2',
    level: 'MUST',
    async run(ctx) {
      const path = ctx.serve(ctx.path(), (_req, n) => ({ headers: { 'cache-control': 'max-age=60', etag: '"e1"' }, body: `v${n}` }));
      await ctx.get(path);
      const answer = await ctx.get(path, { headers: { 'if-none-match': '"other"' } });
      return answer.status === 200 && answer.body.startsWith('v') ? pass(`200 ${answer.body}`) : fail(`answered ${answer.status}`);
    },
  },
  {
    id: 'only-if-cached-miss',
    title: 'only-if-cached on a miss: 504, origin not asked',
    rfc: '9111 §5.2.1.7',
    level: 'SHOULD',
    async run(ctx) {
      const path = ctx.serve(ctx.path(), (_req, n) => ({ headers: { 'cache-control': 'max-age=60' }, body: `v${n}` }));
      const answer = await ctx.get(path, { headers: { 'cache-control': 'only-if-cached' } });
      if (ctx.count(path) > 0) return fail(`origin asked (answered ${answer.status})`);
      return answer.status === 504 ? pass('504') : fail(`answered ${answer.status} without the origin`);
    },
  },
  {
    id: 'only-if-cached-hit',
    title: 'only-if-cached on a stored fresh answer: served from cache',
    rfc: '9111 §5.2.1.7',
    level: 'SHOULD',
    async run(ctx) {
      const path = ctx.serve(ctx.path(), (_req, n) => ({ headers: { 'cache-control': 'max-age=60' }, body: `v${n}` }));
      await ctx.get(path);
      const answer = await ctx.get(path, { headers: { 'cache-control': 'only-if-cached' } });
      return answer.status === 200 && answer.body === 'v1' && ctx.count(path) === 1 ? pass('200 from cache') : fail(`answered ${answer.status} (${ctx.count(path)} origin requests)`);
    },
  },
  {
    id: 'head-from-cache',
    title: 'HEAD on a stored GET answer: answered from cache, no body',
    rfc: '9111 §4; 9110 §9.3.2',
    level: 'MAY',
    async run(ctx) {
      const path = ctx.serve(ctx.path(), (_req, n) => ({ headers: { 'cache-control': 'max-age=60' }, body: `v${n}` }));
      await ctx.get(path);
      const answer = await ctx.get(path, { method: 'HEAD' });
      if (answer.status !== 200 || answer.body !== '') return fail(`answered ${answer.status} with ${answer.body.length} body bytes`);
      return ctx.count(path) === 1 ? pass('200 from cache') : fail(`origin asked (${ctx.seen(path)[1]?.method})`);
    },
  },
];
