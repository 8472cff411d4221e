/** Variants (RFC 9111 §4.1) and byte ranges on stored answers (RFC 9110 §14, §13.1.5). */
import { fail, pass, type Probe, type ProbeContext } from '../probe.js';

const BODY = '0123456789'.repeat(10);

/** A stored 100-byte answer with ETag "r1"; the origin itself ignores Range. */
async function stored(ctx: ProbeContext): Promise<string> {
  const path = ctx.serve(ctx.path(), () => ({ headers: { 'cache-control': 'max-age=60', etag: '"r1"' }, body: BODY }));
  await ctx.get(path);
  return path;
}

async function varyRun(ctx: ProbeContext): Promise<{ wrong: string[]; count: number; path: string }> {
  const path = ctx.serve(ctx.path(), (req) => ({
    headers: { 'cache-control': 'max-age=60', vary: 'Accept-Language' },
    body: `lang=${req.headers['accept-language'] ?? '(none)'}`,
  }));
  const wrong: string[] = [];
  for (const lang of ['en', 'fr', 'en', 'fr']) {
    const answer = await ctx.get(path, { headers: { 'accept-language': lang } });
    if (answer.body !== `lang=${lang}`) wrong.push(`${lang}→${answer.body}`);
  }
  return { wrong, count: ctx.count(path), path };
}

function forwardingNote(ctx: ProbeContext): string {
  if (!ctx.target.forwardsRequestHeaders) return ' (started without defaultForwardHeaders: the gateway refused it)';
  return ctx.seen(ctx.path()).every((seen) => seen.headers['accept-language'] === undefined) ? ' (the origin never saw Accept-Language)' : '';
}

export const varyRangeProbes: Probe[] = [
  {
    id: 'vary-correct',
    title: 'Vary: Accept-Language: each client gets its own variant (en, fr, en, fr)',
    rfc: '9111 §4.1',
    level: 'MUST',
    async run(ctx) {
      const { wrong, count } = await varyRun(ctx);
      return wrong.length === 0 ? pass(`all variants right (${count} origin requests)`) : fail(`wrong variant: ${wrong.join(', ')}${forwardingNote(ctx)}`);
    },
  },
  {
    id: 'vary-cached',
    title: 'Vary: Accept-Language: both variants stored (2 origin requests for 4 GETs)',
    rfc: '9111 §4.1',
    level: 'MAY',
    async run(ctx) {
      const { wrong, count } = await varyRun(ctx);
      if (wrong.length > 0) return fail(`wrong variant: ${wrong.join(', ')}${forwardingNote(ctx)}`);
      return count === 2 ? pass('2 origin requests') : fail(`${count} origin requests: variants not kept side by side`);
    },
  },
  {
    id: 'range-206',
    title: 'Range: bytes=10-19 on a stored answer: 206 with Content-Range bytes 10-19/100',
    rfc: '9110 §14.2, §15.3.7',
    level: 'MAY',
    async run(ctx) {
      const path = await stored(ctx);
      const answer = await ctx.get(path, { headers: { range: 'bytes=10-19' } });
      if (answer.status === 200 && answer.body === BODY) return fail('Range ignored: full 200 (allowed, no range support)');
      const ok = answer.status === 206 && answer.headers['content-range'] === 'bytes 10-19/100' && answer.body === BODY.slice(10, 20);
      return ok ? pass(`206 ${answer.headers['content-range']} (${ctx.count(path)} origin requests)`) : fail(`answered ${answer.status} ${answer.headers['content-range'] ?? ''} body ${answer.body.slice(0, 20)}`);
    },
  },
  {
    id: 'range-416',
    title: 'Range: bytes=500-600 on a stored 100-byte answer: 416 (or the full 200)',
    rfc: '9110 §14.2, §15.5.17',
    level: 'SHOULD',
    async run(ctx) {
      const path = await stored(ctx);
      const answer = await ctx.get(path, { headers: { range: 'bytes=500-600' } });
      if (answer.status === 416) return pass(`416 Content-Range: ${answer.headers['content-range'] ?? '(none)'}`);
      return answer.status === 200 && answer.body === BODY ? pass('Range ignored: full 200 (allowed)') : fail(`answered ${answer.status}`);
    },
  },
  {
    id: 'range-multi',
    title: 'Range: bytes=0-4,10-14 on a stored answer: correct multipart/byteranges, a covering 206, or the full 200',
    rfc: '9110 §14.2, §14.6, §15.5.17',
    level: 'SHOULD',
    async run(ctx) {
      const path = await stored(ctx);
      const answer = await ctx.get(path, { headers: { range: 'bytes=0-4,10-14' } });
      if (answer.status === 200) return answer.body === BODY ? pass('Range ignored: full 200 (allowed)') : fail('200 with a wrong body');
      if (answer.status === 416) return fail('416 for two satisfiable ranges');
      if (answer.status !== 206) return fail(`answered ${answer.status}`);
      const type = answer.headers['content-type'] ?? '';
      if (type.startsWith('multipart/byteranges')) {
        const ok = answer.body.includes(BODY.slice(0, 5)) && answer.body.includes(BODY.slice(10, 15)) && /Content-Range: bytes 0-4\/100/i.test(answer.body) && /Content-Range: bytes 10-14\/100/i.test(answer.body);
        return ok ? pass('206 multipart/byteranges with both parts') : fail('206 multipart/byteranges with wrong parts');
      }
      const match = /^bytes (\d+)-(\d+)\/100$/.exec(answer.headers['content-range'] ?? '');
      const [first, last] = [Number(match?.[1]), Number(match?.[2])];
      const covers = match !== null && first <= 0 && last >= 14 && answer.body === BODY.slice(first, last + 1);
      return covers ? pass(`206 ${answer.headers['content-range']} covering both ranges`) : fail(`206 ${answer.headers['content-range'] ?? '(no Content-Range)'} does not cover both ranges`);
    },
  },
  {
    id: 'range-miss',
    title: 'Range on a miss, then a plain GET: the plain GET gets the whole 100 bytes, never a stored part',
    rfc: '9111 §3.3, §3.4',
    level: 'MUST',
    async run(ctx) {
      // This origin honours Range, so a proxy that forwards it receives (and could store) a 206.
      const path = ctx.serve(ctx.path(), (req) => {
        const headers = { 'cache-control': 'max-age=60', etag: '"r1"' };
        if (req.headers.range === 'bytes=0-9') return { status: 206, headers: { ...headers, 'content-range': 'bytes 0-9/100' }, body: BODY.slice(0, 10) };
        return { headers, body: BODY };
      });
      const part = await ctx.get(path, { headers: { range: 'bytes=0-9' } });
      const partOk = (part.status === 206 && part.body === BODY.slice(0, 10)) || (part.status === 200 && part.body === BODY);
      if (!partOk) return fail(`Range answered ${part.status} with ${part.body.length} bytes`);
      const whole = await ctx.get(path);
      return whole.status === 200 && whole.body === BODY ? pass(`then 200 with 100 bytes (${ctx.count(path)} origin requests)`) : fail(`plain GET answered ${whole.status} with ${whole.body.length} bytes`);
    },
  },
  {
    id: 'if-range-mismatch',
    title: 'Range with If-Range: "other" (not the stored ETag): full 200',
    rfc: '9110 §13.1.5',
    level: 'MUST',
    async run(ctx) {
      const path = await stored(ctx);
      const answer = await ctx.get(path, { headers: { range: 'bytes=0-9', 'if-range': '"other"' } });
      return answer.status === 200 && answer.body === BODY ? pass('full 200') : fail(`answered ${answer.status} ${answer.headers['content-range'] ?? ''}`);
    },
  },
  {
    id: 'if-range-match',
    title: 'Range with If-Range: "r1" (the stored ETag): 206',
    rfc: '9110 §13.1.5',
    level: 'MAY',
    async run(ctx) {
      const path = await stored(ctx);
      const answer = await ctx.get(path, { headers: { range: 'bytes=0-9', 'if-range': '"r1"' } });
      return answer.status === 206 && answer.body === BODY.slice(0, 10) ? pass(`206 ${answer.headers['content-range']}`) : fail(`answered ${answer.status} (no range support)`);
    },
  },
];
