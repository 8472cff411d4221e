/**
 * What held in the review and must stay so: smuggling and malformed framing, slowloris,
 * kill -9 during fills, a NATS restart under traffic, the invalidation service killed in a
 * command burst, 10,000 fuzzed commands.
 */
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { encodeMessage, streamNames, subjects } from '@cairn/shared';
import { seededRandom } from '@cairn/testing';
import { get, json, metricsText, pool, seriesCount, within } from '../lib/probes.js';
import { openSocket, rawRequest } from '../lib/raw-http.js';
import * as x from './expectations.js';
import { staleAfter, warm, type Scenario } from './context.js';

const port = (url: string) => Number(new URL(url).port);
const H = 'Host: gw\r\n';

/** Each variant must be refused; `/smug/poison` is what a desync would smuggle to the origin. */
const SMUGGLING: Array<[string, string]> = [
  ['CL+TE', `POST /smug/1 HTTP/1.1\r\n${H}Content-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nG`],
  ['TE+CL', `POST /smug/2 HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n5c\r\nGPOST /smug/poison HTTP/1.1\r\n\r\n0\r\n\r\n`],
  ['duplicate CL', `POST /smug/3 HTTP/1.1\r\n${H}Content-Length: 0\r\nContent-Length: 39\r\n\r\nGET /smug/poison HTTP/1.1\r\nHost: gw\r\n\r\n`],
  ['CL list', `POST /smug/4 HTTP/1.1\r\n${H}Content-Length: 0, 39\r\n\r\nGET /smug/poison HTTP/1.1\r\nHost: gw\r\n\r\n`],
  ['obs-fold', `GET /smug/5 HTTP/1.1\r\n${H}X-K: a\r\n b\r\n\r\n`],
  ['obs-fold TE', `POST /smug/6 HTTP/1.1\r\n${H}Transfer-Encoding:\r\n chunked\r\nContent-Length: 3\r\n\r\nabc`],
  ['bad chunk size', `POST /smug/7 HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n`],
  ['chunk size overflow', `POST /smug/8 HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\nfffffffffffffffff1\r\nabc\r\n0\r\n\r\n`],
  ['chunk without CRLF', `POST /smug/9 HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n3\r\nabcXX0\r\n\r\n`],
  ['TE not chunked last', `POST /smug/10 HTTP/1.1\r\n${H}Transfer-Encoding: chunked, identity\r\n\r\n3\r\nabc\r\n0\r\n\r\n`],
  ['TE xchunked', `POST /smug/11 HTTP/1.1\r\n${H}Transfer-Encoding: xchunked\r\nContent-Length: 3\r\n\r\nabc`],
  ['space before colon', `POST /smug/12 HTTP/1.1\r\n${H}Content-Length : 39\r\n\r\nGET /smug/poison HTTP/1.1\r\nHost: gw\r\n\r\n`],
  ['NUL in header', `GET /smug/13 HTTP/1.1\r\n${H}X-K: a\u0000b\r\n\r\n`],
  ['bad header name', `GET /smug/14 HTTP/1.1\r\n${H}X K: v\r\n\r\n`],
  ['bad CL', `POST /smug/15 HTTP/1.1\r\n${H}Content-Length: +3\r\n\r\nabc`],
];

async function smuggling(s: Scenario) {
  const refused: string[] = [];
  const accepted: string[] = [];
  for (const [name, text] of SMUGGLING) {
    const answer = await rawRequest(port(s.a.url), text, 2000);
    if (answer.status === x.SMUGGLING_STATUS) refused.push(name);
    else accepted.push(`${name}→${answer.status ?? 'no answer'}`);
  }
  // Nothing smuggled reached the origin, and every path answers what the origin says.
  const smuggled = s.sys.origin.count('/smug/poison');
  let poisoned = smuggled;
  for (let i = 1; i <= SMUGGLING.length; i++) {
    const answer = await get(`${s.a.url}/smug/${i}`);
    if (answer.body !== s.sys.origin.bodyFor(`/smug/${i}`)) poisoned++;
  }
  return {
    pass: accepted.length === 0 && poisoned === 0,
    observed: `${refused.length}/${SMUGGLING.length} got ${x.SMUGGLING_STATUS}${accepted.length ? `; not refused: ${accepted.join(', ')}` : ''}; smuggled to origin: ${smuggled}; poisoned: ${poisoned}`,
    poisoned,
  };
}

async function slowloris(s: Scenario) {
  const sockets = await Promise.all(Array.from({ length: x.SLOWLORIS_CONNECTIONS }, () => openSocket(port(s.a.url))));
  let closedByGateway = 0;
  for (const socket of sockets) {
    socket.on('error', () => undefined);
    socket.once('close', () => closedByGateway++);
    socket.write('GET /slow');
  }
  const times: number[] = [];
  for (let i = 0; i < 10; i++) {
    for (const socket of sockets) if (!socket.destroyed) socket.write('a');
    times.push((await get(`${s.a.url}/loris/${i}`)).ms);
    await sleep(200);
  }
  const worst = Math.max(...times);
  for (const socket of sockets) socket.destroy();
  return {
    pass: worst < x.SLOWLORIS_OTHER_CLIENT_BOUND_MS,
    observed: `${x.SLOWLORIS_CONNECTIONS} trickling clients; other clients' worst answer ${worst.toFixed(0)} ms; trickling connections closed by the gateway within 2 s: ${closedByGateway}`,
  };
}

/** A body only this URL has, long enough that a torn write shows. */
const k9Body = (url: string) => {
  const digest = createHash('sha256').update(url).digest('hex');
  return `${url}\n${digest.repeat(250)}\nend`;
};

async function killDuringFills(s: Scenario) {
  s.sys.origin.on('/k9/', (req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(k9Body(req.url));
  });
  const urls: string[] = [];
  let gateway = await s.sys.gateway('gw-kill');
  for (let round = 0; round < x.KILL_ROUNDS; round++) {
    const batch = Array.from({ length: x.FILLS_PER_ROUND }, (_, i) => `/k9/${round}-${i}`);
    urls.push(...batch);
    const fills = pool(batch, 40, async (url) => void (await get(`${gateway.url}${url}`, {}, 5000).catch(() => undefined)));
    await within(5000, () => s.sys.origin.count(`/k9/${round}-${Math.floor(x.FILLS_PER_ROUND / 2)}`) > 0, 5);
    await gateway.kill9();
    await fills;
    gateway = await s.sys.gateway('gw-kill');
  }
  let intact = 0;
  let torn = 0;
  let refetched = 0;
  await pool(urls, 30, async (url) => {
    const answer = await get(`${gateway.url}${url}`);
    if (answer.body !== k9Body(url)) torn++;
    else if (answer.cache === 'HIT') intact++;
    else refetched++;
  });
  await gateway.terminate();
  return {
    pass: torn === 0 && intact > 0,
    observed: `${x.KILL_ROUNDS} kill -9 rounds, ${urls.length} fills: ${intact} entries survived intact, ${refetched} refetched, ${torn} torn`,
    torn,
  };
}

/** Each path's origin version is bumped, then a `url` command is sent until the service accepts it. */
async function invalidateByRest(s: Scenario, path: string): Promise<boolean> {
  s.sys.origin.bump(path);
  for (let attempt = 0; attempt < 80; attempt++) {
    const answer = await json(`${s.sys.invalidation.url}/cache/invalidate`, 'POST', { type: 'url', url: path, runAsync: true }).catch(() => undefined);
    if (answer !== undefined && (answer.status === 202 || answer.status === 200)) return true;
    await sleep(250);
  }
  return false;
}

async function natsRestart(s: Scenario) {
  const paths = Array.from({ length: 100 }, (_, i) => `/nr/${i}`);
  await warm(s.a, paths);
  let stop = false;
  let served = 0;
  let failed = 0;
  const traffic = (async () => {
    for (let i = 0; i < 100_000 && !stop; i++) {
      const ok = await get(`${s.a.url}/nr/${i % 100}`, {}, 3000).then((r) => r.status === 200, () => false);
      if (ok) served++;
      else failed++;
    }
  })();
  let accepted = 0;
  let sends: Promise<void> | undefined;
  // The commands are sent while NATS is down and retried until the service accepts them.
  await s.sys.nats.restart(async () => {
    sends = pool(paths, 10, async (path) => void ((await invalidateByRest(s, path)) && accepted++));
    await sleep(1000);
  });
  await sends;
  const stale = await staleAfter(s.sys, s.a, paths, x.INVALIDATION_SETTLE_MS);
  stop = true;
  await traffic;
  await within(10_000, async () => (await fetch(`${s.a.adminUrl}/ready`)).status === 200);
  return {
    pass: accepted === paths.length && stale.length === 0,
    observed: `NATS restarted under traffic (${served} answered, ${failed} failed); ${accepted}/${paths.length} invalidations accepted; lost: ${stale.length}`,
    lost: stale.length + (paths.length - accepted),
  };
}

async function invalidationKilled(s: Scenario) {
  const paths = Array.from({ length: 300 }, (_, i) => `/ik/${i}`);
  await warm(s.a, paths);
  for (const [i, path] of paths.entries()) {
    s.sys.origin.bump(path);
    s.sys.nc.publish(subjects.invalidationCommands, encodeMessage({ type: 'url', url: path }));
    if (i === 100) {
      await s.sys.nc.flush();
      await s.sys.invalidation.kill9();
    }
  }
  await s.sys.nc.flush();
  const restarted = await s.sys.restartInvalidation();
  const stale = await staleAfter(s.sys, s.a, paths, x.REDELIVERY_SETTLE_MS);
  return {
    pass: stale.length === 0 && restarted.alive(),
    observed: `kill -9 after 100 of ${paths.length} commands, restarted; not applied: ${stale.length}`,
    lost: stale.length,
  };
}

/** Fuzzed commands: garbage, wrong types, near-miss field names and some valid ones. */
function fuzzedCommands(validPaths: readonly string[]): { payloads: Uint8Array[]; valid: string[] } {
  const random = seededRandom(9);
  const types = ['api', 'page', 'all', 'group', 'cacheTag', 'url', 'URL', '', 'x'.repeat(300), 42, null];
  const names = ['type', 'url', 'groupCode', 'cacheTag', 'mode', 'runAsync', 'typ', 'Url', 'cache_tag'];
  const values = () => random.pick<unknown>(['', ' ', '/x', '/%zz', 'http://h/p', 'soft', 'hard', Number.MAX_VALUE, -1, true, [], {}, null, '\u0000', '🙂'.repeat(50), 'a'.repeat(1500)]);
  const payloads: Uint8Array[] = [];
  const valid: string[] = [];
  for (let i = 0; i < x.FUZZ_COMMANDS; i++) {
    const roll = random.int(20);
    if (roll === 0 && valid.length < validPaths.length) {
      const path = validPaths[valid.length] as string;
      valid.push(path);
      payloads.push(encodeMessage({ type: 'url', url: path }));
    } else if (roll < 4) {
      payloads.push(Buffer.from(Array.from({ length: random.int(200) }, () => random.int(256))));
    } else if (roll < 6) {
      payloads.push(Buffer.from(random.pick(['{', '[]', 'null', '"x"', '{"type":', '1', '{"type":"url","url":"/fz/x"'])));
    } else {
      const command: Record<string, unknown> = { type: random.pick(types) };
      for (let f = random.int(4); f > 0; f--) command[random.pick(names)] = values();
      payloads.push(encodeMessage(command));
    }
  }
  return { payloads, valid };
}

async function fuzz(s: Scenario) {
  const validPaths = Array.from({ length: 300 }, (_, i) => `/fz/${i}`);
  await warm(s.a, validPaths);
  const { payloads, valid } = fuzzedCommands(validPaths);
  for (const path of valid) s.sys.origin.bump(path);
  const pid = s.sys.invalidation.pid;
  for (const [i, payload] of payloads.entries()) {
    s.sys.nc.publish(subjects.invalidationCommands, payload);
    if (i % 500 === 0) await s.sys.nc.flush();
  }
  await s.sys.nc.flush();
  const jsm = await s.sys.nc.jetstreamManager();
  let pending = -1;
  const drained = await within(60_000, async () => {
    pending = (await jsm.streams.info(streamNames.commands)).state.messages;
    return pending === 0;
  }, 250);
  const stale = await staleAfter(s.sys, s.a, valid, x.INVALIDATION_SETTLE_MS);
  const alive = s.sys.invalidation.alive() && s.sys.invalidation.pid === pid && (await fetch(`${s.sys.invalidation.url}/health`)).status === 200;
  const series = seriesCount(await metricsText(s.sys.invalidation.url), 'cairn_invalidation_');
  return {
    pass: alive && drained && stale.length === 0 && series <= x.METRIC_SERIES_BOUND,
    observed: `${payloads.length} fuzzed (${valid.length} valid): service ${alive ? 'alive' : 'DOWN'}, queue ${drained ? 'drained' : `stalled (${pending} pending)`}, valid not applied: ${stale.length}, invalidation metric series: ${series}`,
    lost: stale.length,
  };
}

/** Returns the invalidation-service row still running: its redelivery wait overlaps the next group. */
export async function heldRows(s: Scenario): Promise<Promise<void>> {
  const held = 'held';
  await s.report.row(held, 'request smuggling and malformed framing (raw sockets)', `every variant ${x.SMUGGLING_STATUS}; nothing smuggled, stored or poisoned`, () => smuggling(s));
  await s.report.row(held, `slowloris: ${x.SLOWLORIS_CONNECTIONS} clients trickling headers`, `other clients answered < ${x.SLOWLORIS_OTHER_CLIENT_BOUND_MS} ms`, () => slowloris(s));
  await s.report.row(held, 'kill -9 of a gateway during fills, restarted', 'no torn entry: every stored body equals the origin\'s', () => killDuringFills(s), 90_000);
  await s.report.row(held, 'NATS restart under traffic', 'every invalidation accepted is applied (0 lost)', () => natsRestart(s), 60_000);
  await s.report.row(held, `${x.FUZZ_COMMANDS} fuzzed commands on cache.invalidate`, `service survives, queue drains, valid ones applied, ≤ ${x.METRIC_SERIES_BOUND} metric series`, () => fuzz(s), 120_000);
  return s.report.row(held, 'invalidation service kill -9 during a command burst', 'restarted; every command applied', () => invalidationKilled(s), 70_000);
}
