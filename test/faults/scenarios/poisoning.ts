/**
 * Cache poisoning (issue 9 items 1–4). An attacker talks to gateway A first; a victim then
 * asks A and a clean gateway B (same origin, no attacker traffic) the same thing. The
 * origin echoes what it received, so the victim is poisoned iff A and B answer differently.
 */
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { encodeMessage, headers as cairnHeaders, subjects } from '@cairn/shared';
import { headers as natsHeaders } from 'nats';
import { get, json, within } from '../lib/probes.js';
import { rawRequest } from '../lib/raw-http.js';
import type { Observation } from '../lib/report.js';
import type { Scenario } from './context.js';

const port = (url: string) => Number(new URL(url).port);

interface Case {
  name: string;
  /** The attacker's raw request target and extra header lines. */
  attack: { target: string; headers?: string[] };
  victim: { path: string; headers?: Record<string, string> };
}

async function attack(s: Scenario, target: string, headerLines: string[] = []): Promise<string> {
  const answer = await rawRequest(port(s.a.url), `GET ${target} HTTP/1.1\r\nHost: gw\r\n${headerLines.map((h) => `${h}\r\n`).join('')}\r\n`);
  // Stores are committed in the next event turns: give the fill a moment before the victim asks.
  await sleep(100);
  return String(answer.status ?? 'no answer');
}

async function runCases(s: Scenario, cases: Case[]): Promise<Observation> {
  const results: string[] = [];
  let poisoned = 0;
  for (const c of cases) {
    const status = await attack(s, c.attack.target, c.attack.headers);
    const victimA = await get(`${s.a.url}${c.victim.path}`, { headers: c.victim.headers ?? {} });
    const victimB = await get(`${s.b.url}${c.victim.path}`, { headers: c.victim.headers ?? {} });
    const same = victimA.body === victimB.body && victimA.status === victimB.status;
    if (!same) poisoned++;
    results.push(`${c.name}: attacker ${status}, victim ${same ? 'right' : `POISONED (${victimA.cache} ${JSON.stringify(victimA.body.slice(0, 60))})`}`);
  }
  return { pass: poisoned === 0, observed: results.join('; '), poisoned };
}

/** Today's hashed-key form (`<head>#<md5>` past 1,000 characters), to craft its verbatim twin. */
function hashedForm(key: string): string {
  const digest = createHash('md5').update(key).digest('hex');
  return `${Buffer.from(key).subarray(0, 1000 - 33).toString('utf8')}#${digest}`;
}

async function md5Twin(s: Scenario): Promise<Observation> {
  const long = 'v'.repeat(1100);
  const twinValue = hashedForm(`page:/p/md5|h:x-k=${long}`).slice('page:/p/md5|h:x-k='.length);
  return runCases(s, [{ name: 'verbatim twin of a hashed key', attack: { target: '/p/md5', headers: [`X-K: ${twinValue}`] }, victim: { path: '/p/md5', headers: { 'x-k': long } } }]);
}

type RevalidationCase = 'set-cookie' | 'private' | 'no-store' | 'vary';
const REVALIDATION_HEADERS: Record<RevalidationCase, Record<string, string>> = {
  'set-cookie': { 'set-cookie': 'sid=attacker-session' },
  private: { 'cache-control': 'private' },
  'no-store': { 'cache-control': 'no-store' },
  vary: { vary: 'x-new' },
};

async function revalidation(s: Scenario): Promise<Observation> {
  const conditional = new Map<string, number>();
  s.sys.origin.on('/r304/', (req, res) => {
    const which = req.url.split('/')[2] as RevalidationCase;
    if (req.headers['if-none-match'] === '"v1"') {
      conditional.set(which, (conditional.get(which) ?? 0) + 1);
      res.writeHead(304, { etag: '"v1"', ...REVALIDATION_HEADERS[which] });
      return res.end();
    }
    res.writeHead(200, { 'content-type': 'text/plain', etag: '"v1"' });
    res.end(`shared:${which}`);
  });
  const results: string[] = [];
  let poisoned = 0;
  for (const which of Object.keys(REVALIDATION_HEADERS) as RevalidationCase[]) {
    const url = `${s.a.url}/r304/${which}`;
    await get(url);
    const stored = await within(2000, async () => (await get(url)).cache === 'HIT');
    // The request that revalidates: one that made the origin answer a conditional request.
    // Under load a second fill in the HIT loop above (another worker's) can leave an entry
    // fresh past the sleep (a HIT revalidated nothing), and the sweep can remove the expired
    // entry first (a plain MISS stores a fresh one): the next client's HIT would then say
    // nothing about the 304, so the expiry is waited for again.
    let revalidated = await get(url);
    for (let rounds = 0; rounds < 5; rounds++) {
      await sleep(1200);
      const before = conditional.get(which) ?? 0;
      revalidated = await get(url);
      for (let tries = 0; revalidated.cache === 'HIT' && tries < 30; tries++) {
        await sleep(100);
        revalidated = await get(url);
      }
      if ((conditional.get(which) ?? 0) > before) break;
    }
    const victim = await get(url);
    const cookie = victim.headers.getSetCookie().length > 0;
    const hit = victim.cache === 'HIT';
    const bad = cookie || (which !== 'set-cookie' && hit);
    if (bad) poisoned++;
    const origin304 = revalidated.cache === 'HIT' ? 'never revalidated (HIT for 3 s)' : revalidated.status === 200 ? 'revalidated' : `revalidation ${revalidated.status}`;
    results.push(`${which}: ${stored ? '' : 'never stored, '}${origin304}; next client ${victim.cache}${cookie ? ' + Set-Cookie' : ''}${bad ? ' (MERGED)' : ''}`);
  }
  return { pass: poisoned === 0, observed: results.join('; '), poisoned };
}

/** The age the origin claims for its answer: a hit adds its own residence time to it (RFC 9111 §4.2.3). */
const ORIGIN_AGE = 999_999;

async function gatewayHeaders(s: Scenario): Promise<Observation> {
  s.sys.origin.on('/ghdr/', (_req, res) => {
    res.writeHead(200, {
      'content-type': 'text/plain',
      age: String(ORIGIN_AGE),
      'x-cairn-cache': 'MISS',
      'cache-status': 'evil; hit',
      'keep-alive': 'timeout=999',
      'proxy-connection': 'keep-alive',
      connection: 'x-secret',
      'x-secret': 'leak',
    });
    res.end('ghdr');
  });
  const problems: string[] = [];
  const first = await get(`${s.a.url}/ghdr/1`);
  await sleep(100);
  const fetched = s.sys.origin.count('/ghdr/1');
  const second = await get(`${s.a.url}/ghdr/1`);
  // Served from the store iff the origin saw no new request: then it must say HIT.
  const fromStore = s.sys.origin.count('/ghdr/1') === fetched;
  for (const [tag, answer] of [['first', first], ['second', second]] as const) {
    const h = answer.headers;
    const expected = tag === 'second' && fromStore ? ['HIT'] : ['MISS', 'PASS', 'BYPASS'];
    if (!expected.includes(h.get('x-cairn-cache') ?? '')) problems.push(`${tag} x-cairn-cache "${h.get('x-cairn-cache')}"`);
    // A MISS may pass the origin's Age on (RFC 9111 §5.1: it is that response's age); an
    // answer from the store sends the gateway's own computation (§4.2.3): the age the
    // response arrived with plus the time stored, one integer, never the stored field.
    const age = h.get('age') ?? '';
    const computed = /^\d+$/.test(age) && Number(age) >= ORIGIN_AGE && Number(age) < ORIGIN_AGE + 600;
    if (tag === 'second' ? !computed : age.includes(',')) problems.push(`${tag} age "${age}"`);
    if ((h.get('cache-status') ?? '').includes('evil')) problems.push(`${tag} cache-status "${h.get('cache-status')}"`);
    for (const name of ['x-secret', 'proxy-connection']) if (h.has(name)) problems.push(`${tag} ${name}`);
    if ((h.get('keep-alive') ?? '').includes('999')) problems.push(`${tag} keep-alive "${h.get('keep-alive')}"`);
  }
  return {
    pass: problems.length === 0 && fromStore,
    observed: `second answer ${fromStore ? 'from the store' : 'NOT from the store'}; ${problems.length === 0 ? "gateway's x-cairn-cache, Age, Cache-Status kept; hop-by-hop stripped" : `origin headers won: ${problems.join(', ')}`}`,
    poisoned: problems.length > 0 ? 1 : 0,
  };
}

const DESCRIPTIONS: Record<string, string> = {
  crlf: 'evil\r\nSet-Cookie: injected=1',
  latin: 'Grüße — 東京 ✓',
};

async function ruleDescriptions(s: Scenario): Promise<Observation> {
  const results: string[] = [];
  let failed = 0;
  for (const [name, description] of Object.entries(DESCRIPTIONS)) {
    const put = await json(`${s.sys.rules.url}/rules/desc-${name}`, 'PUT', { description, pathPatterns: [`^/desc/${name}$`], ttl: '5m' });
    // The same rule written straight to the stream, as a rules service bug or another writer would.
    const h = natsHeaders();
    h.set(cairnHeaders.natsOp, 'upsert');
    const rule = { id: `desc-nats-${name}`, description, pathPatterns: [`^/desc/nats-${name}$`], ttl: '5m' };
    await s.sys.nc.jetstream().publish(subjects.rule(rule.id), encodeMessage({ op: 'upsert', rule }), { headers: h });
    for (const path of [`/desc/${name}`, `/desc/nats-${name}`]) {
      let last: Awaited<ReturnType<typeof get>> | undefined;
      await within(2000, async () => {
        last = await get(`${s.a.url}${path}`, { headers: { [cairnHeaders.debug]: 'true' } }).catch(() => undefined);
        return last !== undefined && (last.status >= 500 || last.headers.has(cairnHeaders.debugRuleId));
      });
      const injected = last?.headers.getSetCookie().some((c) => c.includes('injected')) ?? false;
      const bad = last === undefined || last.status >= 500 || injected;
      if (bad) failed++;
      results.push(`${path}: ${path.includes('nats') ? 'via NATS' : `PUT ${put.status}`}, debug GET ${last?.status ?? 'no answer'}${injected ? ' + injected header' : ''}`);
    }
  }
  return { pass: failed === 0, observed: results.join('; ') };
}

export async function poisoningRows(s: Scenario): Promise<void> {
  s.sys.origin.on('/p/', (req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(`url=${req.url}\nx-k=${req.headers['x-k'] ?? ''}\ncookie=${req.headers.cookie ?? ''}\n`);
  });
  const g = 'poisoning';
  const victimRight = 'victim gets the answer a clean gateway gives';
  await s.report.row(g, '1: GET /p?q=1#<payload> (fragment in the request-target)', `${victimRight} (fragment refused or stripped)`, () =>
    runCases(s, [{ name: 'fragment', attack: { target: '/p/frag?q=1#<script>alert(1)</script>' }, victim: { path: '/p/frag?q=1' } }]),
  );
  await s.report.row(g, '1: /p2/attacker<svg>/.. and /P/Case (path normalization)', `${victimRight} (key and fill use one path)`, () =>
    runCases(s, [
      { name: 'dot segments', attack: { target: '/p/dot/attacker<svg>/..' }, victim: { path: '/p/dot' } },
      { name: 'encoded dot segments', attack: { target: '/p/enc/attacker%3Csvg%3E/%2e%2e' }, victim: { path: '/p/enc' } },
      { name: 'case', attack: { target: '/p/Case' }, victim: { path: '/p/case' } },
    ]),
  );
  await s.report.row(g, '1: ?q=evil&q=good vs ?q=good&q=evil', `${victimRight} (origin sees the key's order)`, () =>
    runCases(s, [{ name: 'query order', attack: { target: '/p/qo?q=evil&q=good' }, victim: { path: '/p/qo?q=good&q=evil' } }]),
  );
  await s.report.row(g, '1: repeated keyed cookie', `${victimRight} (fill sends the key's value, or duplicates refused)`, () =>
    runCases(s, [
      { name: 'ck=v; ck=evil', attack: { target: '/p/ck1', headers: ['Cookie: ck=v; ck=evil'] }, victim: { path: '/p/ck1', headers: { cookie: 'ck=v' } } },
      { name: 'ck=evil; ck=v', attack: { target: '/p/ck2', headers: ['Cookie: ck=evil; ck=v'] }, victim: { path: '/p/ck2', headers: { cookie: 'ck=v' } } },
      { name: 'two Cookie lines', attack: { target: '/p/ck3', headers: ['Cookie: ck=v', 'Cookie: ck=evil'] }, victim: { path: '/p/ck3', headers: { cookie: 'ck=v' } } },
    ]),
  );
  await s.report.row(g, '1: repeated keyed header', `${victimRight} (key and fill use the combined value)`, () =>
    runCases(s, [
      { name: 'X-K twice, victim first value', attack: { target: '/p/hk1', headers: ['X-K: a', 'X-K: evil'] }, victim: { path: '/p/hk1', headers: { 'x-k': 'a' } } },
      { name: 'X-K twice, victim last value', attack: { target: '/p/hk2', headers: ['X-K: evil', 'X-K: a'] }, victim: { path: '/p/hk2', headers: { 'x-k': 'a' } } },
    ]),
  );
  await s.report.row(g, '2: key-separator injection (|h: / |c: in path, query, header)', `${victimRight} (every key part encoded)`, () =>
    runCases(s, [
      { name: 'header value', attack: { target: '/p/sep1', headers: ['X-K: a|c:ck=v'] }, victim: { path: '/p/sep1', headers: { 'x-k': 'a', cookie: 'ck=v' } } },
      { name: 'query value', attack: { target: '/p/sep2?z=1|h:x-k=a' }, victim: { path: '/p/sep2?z=1', headers: { 'x-k': 'a' } } },
      { name: 'path', attack: { target: '/p/sep3|h:x-k=a' }, victim: { path: '/p/sep3', headers: { 'x-k': 'a' } } },
      { name: 'path with cookie part', attack: { target: '/p/sep4|c:ck=v' }, victim: { path: '/p/sep4', headers: { cookie: 'ck=v' } } },
    ]),
  );
  await s.report.row(g, '2: a verbatim 1,000-character key equal to a hashed one', victimRight, () => md5Twin(s));
  await s.report.row(g, '3: 304 carrying Set-Cookie / private / no-store / Vary', 'never merged into the shared entry: no Set-Cookie on later answers; unstorable → entry dropped', () => revalidation(s));
  await s.report.row(g, '4: stored origin Age, x-cairn-cache, Cache-Status, hop-by-hop', "the gateway's own values win (Age computed per RFC 9111 §4.2.3); hop-by-hop never delivered", () => gatewayHeaders(s));
  await s.report.row(g, '4: rule description with CR/LF and non-Latin-1, debug answers', 'no 500 and no injected header (encoded, or refused at validation)', () => ruleDescriptions(s));
}
