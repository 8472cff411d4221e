/**
 * The proxy as an HTTP intermediary (RFC 9110 §7.6, §9, §15.2; RFC 9111 §4.4; RFC 9211):
 * invalidation after unsafe methods, extension methods, 1xx, its own errors, hop-by-hop fields.
 */
import { fail, pass, type Probe } from '../probe.js';

const invalidates = (method: string): Probe => ({
  id: `${method.toLowerCase()}-invalidates`,
  title: `${method} answered 200 invalidates the stored GET of the same URI`,
  rfc: '9111 §4.4',
  level: 'MUST',
  async run(ctx) {
    let gets = 0;
    const path = ctx.serve(ctx.path(), (req) => (req.method === 'GET' ? { headers: { 'cache-control': 'max-age=60' }, body: `v${++gets}` } : { headers: { 'cache-control': 'no-store' }, body: 'done' }));
    await ctx.get(path);
    const cached = await ctx.get(path);
    if (gets !== 1) return pass(`not stored in the first place (${gets} GETs reached the origin)`);
    const unsafe = await ctx.get(path, { method, body: method === 'DELETE' ? undefined : 'x', headers: method === 'DELETE' ? {} : { 'content-type': 'text/plain' } });
    if (unsafe.status !== 200) return fail(`${method} answered ${unsafe.status}`);
    const after = await ctx.get(path);
    return after.body === 'v2' ? pass('next GET went to the origin') : fail(`stale ${cached.body} served after ${method}`);
  },
});

export const intermediaryProbes: Probe[] = [
  invalidates('POST'),
  invalidates('PUT'),
  invalidates('DELETE'),
  {
    id: 'propfind',
    title: 'Extension method PROPFIND: proxied to the origin (its 207 reaches the client)',
    rfc: '9110 §9.1, §16.1',
    level: 'SHOULD',
    async run(ctx) {
      const path = ctx.serve(ctx.path(), () => ({ status: 207, headers: { 'cache-control': 'no-store' }, body: 'multi' }));
      const answer = await ctx.get(path, { method: 'PROPFIND' });
      const reached = ctx.seen(path).some((s) => s.method === 'PROPFIND');
      return answer.status === 207 && reached ? pass('207 from the origin') : fail(`answered ${answer.status}, origin ${reached ? 'reached' : 'not reached'}`);
    },
  },
  {
    id: 'early-hints',
    title: '103 Early Hints from the origin reach the client before the 200',
    rfc: '9110 §15.2; 8297',
    level: 'MUST',
    async run(ctx) {
      const path = ctx.serve(ctx.path(), (_req, n) => ({ earlyHints: { link: '</style.css>; rel=preload; as=style' }, headers: { 'cache-control': 'max-age=60' }, body: `v${n}`, delayMs: 50 }));
      const answer = await ctx.get(path).catch((err: Error) => err);
      // A proxy that takes the 103 for the final answer sends the real one after it: unparsable.
      if (answer instanceof Error) return fail(`answer unparsable (${answer.message}): the 103 was not relayed as an interim answer`);
      const hint = answer.informational.find((i) => i.status === 103);
      return hint ? pass(`103 with Link ${hint.headers.link ?? '(none)'}`) : fail(`no 103 (final ${answer.status})`);
    },
  },
  {
    id: 'error-hides-origin',
    title: 'Origin down: the proxy answers 5xx without naming the origin address',
    rfc: '9110 §15.6.3, §17',
    level: 'SHOULD',
    async run(ctx) {
      const path = ctx.serve(ctx.path(), () => ({ drop: true }));
      const answer = await ctx.get(path);
      const text = `${JSON.stringify(answer.headers)}\n${answer.body}`;
      const leaks = text.includes(`:${ctx.origin.port}`);
      if (answer.status < 500) return fail(`answered ${answer.status}`);
      return leaks ? fail(`${answer.status} reveals ${ctx.origin.url}`) : pass(`${answer.status}, origin address not shown`);
    },
  },
  {
    id: 'via-request',
    title: 'The request forwarded to the origin carries Via',
    rfc: '9110 §7.6.3',
    level: 'MUST',
    async run(ctx) {
      const path = ctx.serve(ctx.path(), (_req, n) => ({ headers: { 'cache-control': 'no-store' }, body: `v${n}` }));
      await ctx.get(path);
      const via = ctx.seen(path)[0]?.headers.via;
      return via !== undefined ? pass(`Via: ${via}`) : fail('no Via on the forwarded request');
    },
  },
  {
    id: 'connection-response',
    title: 'Origin Connection: x-hop-r with X-Hop-R: field removed before the client',
    rfc: '9110 §7.6.1',
    level: 'MUST',
    async run(ctx) {
      const path = ctx.serve(ctx.path(), (_req, n) => ({ headers: { 'cache-control': 'max-age=60', connection: 'x-hop-r', 'x-hop-r': 'secret' }, body: `v${n}` }));
      const answer = await ctx.get(path);
      return answer.headers['x-hop-r'] === undefined ? pass('X-Hop-R removed') : fail('X-Hop-R forwarded to the client');
    },
  },
  {
    id: 'connection-request',
    title: 'Client Connection: x-hop-q with X-Hop-Q: field removed before the origin',
    rfc: '9110 §7.6.1',
    level: 'MUST',
    async run(ctx) {
      const path = ctx.serve(ctx.path(), (_req, n) => ({ headers: { 'cache-control': 'no-store' }, body: `v${n}` }));
      await ctx.get(path, { headers: { connection: 'x-hop-q', 'x-hop-q': '1' } });
      const seen = ctx.seen(path)[0];
      if (seen === undefined) return fail('origin not reached');
      return seen.headers['x-hop-q'] === undefined ? pass('X-Hop-Q removed') : fail('X-Hop-Q forwarded to the origin');
    },
  },
  {
    id: 'cache-status',
    title: 'Cache-Status on a hit names the cache and says hit',
    rfc: '9211 §2, §2.1',
    level: 'MAY',
    async run(ctx) {
      const path = ctx.serve(ctx.path(), (_req, n) => ({ headers: { 'cache-control': 'max-age=60' }, body: `v${n}` }));
      await ctx.get(path);
      const answer = await ctx.get(path);
      const status = answer.headers['cache-status'];
      if (status === undefined) return fail('no Cache-Status');
      // The last member is the cache nearest the client: this proxy (RFC 9211 §2).
      const own = status.split(',').pop()!;
      return /;\s*hit(\s*;|\s*$|=\?1)/.test(own) ? pass(`Cache-Status: ${status}`) : fail(`Cache-Status: ${status} (no hit parameter)`);
    },
  },
];
