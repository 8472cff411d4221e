/** Expires (RFC 9111 §5.3), Age (§4.2.3, §5.1), heuristic freshness (§4.2.2) and Date (RFC 9110 §6.6.1). */
import { describeReuse, fail, httpDate, judgeNotReused, pass, PAST_ONE_SECOND_MS, reused, twice, versioned, type Probe } from '../probe.js';

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number, width = 2, fill = '0') => String(n).padStart(width, fill);
const clock = (d: Date) => `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;

/** The obsolete RFC 850 form, e.g. `Sunday, 06-Nov-94 08:49:37 GMT` (RFC 9110 §5.6.7). */
const rfc850 = (d: Date) => `${DAYS[d.getUTCDay()]}, ${pad(d.getUTCDate())}-${MONTHS[d.getUTCMonth()]}-${pad(d.getUTCFullYear() % 100)} ${clock(d)} GMT`;
/** The ANSI C asctime() form, e.g. `Sun Nov  6 08:49:37 1994` (RFC 9110 §5.6.7). */
const asctime = (d: Date) => `${DAYS[d.getUTCDay()]!.slice(0, 3)} ${MONTHS[d.getUTCMonth()]} ${pad(d.getUTCDate(), 2, ' ')} ${clock(d)} ${d.getUTCFullYear()}`;

const inAnHour = () => new Date(Date.now() + 3600_000);

const expiresReuse = (id: string, form: string, expires: () => string): Probe => ({
  id,
  title: `Expires in ${form} form (+1 h): reused`,
  rfc: '9110 §5.6.7; 9111 §5.3',
  level: 'MUST',
  async run(ctx) {
    const value = expires();
    const pair = await twice(ctx, ctx.path(), versioned({ expires: value }));
    return reused(pair) ? pass(describeReuse(pair)) : fail(`"${value}" not accepted: ${describeReuse(pair)}`);
  },
});

const expiresInvalid = (id: string, value: string): Probe => ({
  id,
  title: `Expires: ${value} (invalid) means already expired`,
  rfc: '9111 §5.3',
  level: 'MUST',
  async run(ctx) {
    return judgeNotReused(ctx, await twice(ctx, ctx.path(), versioned({ expires: value })), 'treated as expired');
  },
});

export const expiresAgeProbes: Probe[] = [
  expiresReuse('expires-imf', 'IMF-fixdate', () => httpDate(3600)),
  expiresReuse('expires-rfc850', 'RFC 850', () => rfc850(inAnHour())),
  expiresReuse('expires-asctime', 'asctime', () => asctime(inAnHour())),
  expiresInvalid('expires-zero', '0'),
  expiresInvalid('expires-garbage', 'soon'),
  {
    id: 'expires-ignored-with-max-age',
    title: 'max-age=1 with Expires +1 h: Expires ignored, stale after 2 s',
    rfc: '9111 §5.3',
    level: 'MUST',
    async run(ctx) {
      return judgeNotReused(ctx, await twice(ctx, ctx.path(), versioned({ 'cache-control': 'max-age=1', expires: httpDate(3600) }), PAST_ONE_SECOND_MS), 'Expires ignored');
    },
  },
  {
    id: 'age-on-hit',
    title: 'Age on a hit = origin Age (5) + residence time (2 s)',
    rfc: '9111 §4, §4.2.3',
    level: 'MUST',
    async run(ctx) {
      const pair = await twice(ctx, ctx.path(), versioned({ 'cache-control': 'max-age=60', age: '5' }), PAST_ONE_SECOND_MS);
      if (!reused(pair)) return fail(`not a hit: ${describeReuse(pair)}`);
      const age = Number(pair.second.headers.age);
      return age >= 7 && age < 30 ? pass(`Age: ${pair.second.headers.age}`) : fail(`Age: ${pair.second.headers.age ?? '(none)'}, expected ≥ 7`);
    },
  },
  {
    id: 'age-invalid',
    title: 'Age: 7200.0 (invalid) ignored: max-age=60 answer reused',
    rfc: '9111 §5.1',
    level: 'SHOULD',
    async run(ctx) {
      const pair = await twice(ctx, ctx.path(), versioned({ 'cache-control': 'max-age=60', age: '7200.0' }));
      return reused(pair) ? pass(describeReuse(pair)) : fail(`invalid Age taken as a number: ${describeReuse(pair)}`);
    },
  },
  {
    id: 'age-over-max-age',
    title: 'Age: 120 with max-age=60: stale on arrival, not reused',
    rfc: '9111 §4.2, §4.2.3',
    level: 'MUST',
    async run(ctx) {
      return judgeNotReused(ctx, await twice(ctx, ctx.path(), versioned({ 'cache-control': 'max-age=60', age: '120' })), 'stale on arrival');
    },
  },
  {
    id: 'heuristic-last-modified',
    title: 'Last-Modified 10 days ago only: heuristically fresh, reused',
    rfc: '9111 §4.2.2',
    level: 'MAY',
    async run(ctx) {
      const pair = await twice(ctx, ctx.path(), versioned({ 'last-modified': httpDate(-10 * 86400) }, { conditional: false }));
      return reused(pair) ? pass(describeReuse(pair)) : fail(`no heuristic freshness: ${describeReuse(pair)}`);
    },
  },
  {
    id: 'heuristic-302',
    title: '302 without explicit freshness: not heuristically cacheable, not reused',
    rfc: '9111 §3, §4.2.2; 9110 §15.1',
    level: 'MUST',
    async run(ctx) {
      const path = ctx.serve(ctx.path(), (_req, n) => ({ status: 302, headers: { location: `/elsewhere/${n}` }, body: `v${n}` }));
      await ctx.get(path);
      const second = await ctx.get(path);
      return ctx.count(path) === 2 ? pass(`origin asked twice (Location ${second.headers.location})`) : fail(`302 stored heuristically (Location ${second.headers.location})`);
    },
  },
  {
    id: 'date-added',
    title: 'Origin answer without Date: the proxy adds one',
    rfc: '9110 §6.6.1',
    level: 'MUST',
    async run(ctx) {
      const path = ctx.serve(ctx.path(), versioned({ 'cache-control': 'max-age=60' }, { noDate: true }));
      const answer = await ctx.get(path);
      return answer.headers.date !== undefined && !Number.isNaN(Date.parse(answer.headers.date)) ? pass(`Date: ${answer.headers.date}`) : fail('no Date field');
    },
  },
];
