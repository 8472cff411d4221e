/**
 * Warming (README, Active caching): `POST /cache/warm` asks one live gateway per URL to fetch
 * it for the fleet, at most WARM_CONCURRENCY at a time, and `GET /cache/warm/:id` reports what
 * each URL came to and which gateways hold it. Real service and nats-server; the gateways are
 * protocol peers (gateway-protocol-peer.ts); sitemaps come from a real local HTTP server.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { encodeMessage, hashPassword, subjects } from '@cairn/shared';
import { eventually, freePort, startOrigin, tempDir, type Origin } from '@cairn/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { startGatewayFleet, stored, type GatewayFleet, type WarmAnswer } from './gateway-protocol-peer.js';
import { useInvalidationService } from './invalidation-harness.js';

interface WarmUrlReport {
  url: string;
  path: string;
  state: string;
  fetchedBy?: string;
  status?: number;
  reason?: string;
  storedOn: string[];
}

interface WarmReport {
  id: string;
  state: 'running' | 'done';
  total: number;
  stored: number;
  cached: number;
  notCacheable: number;
  failed: number;
  pending: number;
  startedAt: string;
  finishedAt?: string;
  sitemap?: { url: string; listed: number; skipped: number; truncated: boolean };
  urls: WarmUrlReport[];
  offset: number;
  next: number | null;
}

describe('warming', () => {
  const svc = useInvalidationService();
  let fleet: GatewayFleet | undefined;
  let origin: Origin | undefined;
  afterEach(async () => {
    fleet?.stop();
    fleet = undefined;
    await origin?.close();
    origin = undefined;
  });

  const post = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${svc.service.url}/cache/warm`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const report = async (id: string, query = ''): Promise<WarmReport> => {
    const response = await fetch(`${svc.service.url}/cache/warm/${id}${query}`);
    expect(response.status).toBe(200);
    return (await response.json()) as WarmReport;
  };
  const done = (id: string, timeoutMs = 5000) =>
    eventually(
      async () => {
        const body = await report(id);
        expect(body.state).toBe('done');
        return body;
      },
      { timeoutMs },
    );
  /** Starts the fleet and waits until the service lists all of it as live. */
  const gateways = async (ids: string[], answer: WarmAnswer = stored, feedLost: string[] = []) => {
    fleet = startGatewayFleet(svc.nc, ids, answer, { feedLost });
    await eventually(async () => expect(((await (await fetch(`${svc.service.url}/gateways`)).json()) as { gateways: unknown[] }).gateways).toHaveLength(ids.length));
    return fleet;
  };
  /** Started without waiting for it (runAsync), so the spec can watch its progress. */
  const startWarm = async (body: Record<string, unknown>): Promise<string> => {
    const response = await post({ ...body, runAsync: true });
    expect(response.status).toBe(202);
    return ((await response.json()) as { id: string }).id;
  };

  it('answers 200 with the report once every URL is stored on every live gateway', async () => {
    await svc.start();
    await gateways(['gw-a', 'gw-b']);
    const response = await post({ urls: ['/a', '/b'] });
    expect(response.status).toBe(200);
    const body = (await response.json()) as WarmReport & { statusUrl: string };
    expect(body).toMatchObject({ state: 'done', total: 2, stored: 2, pending: 0, statusUrl: `/cache/warm/${body.id}` });
    expect(body.urls.map((u) => u.storedOn)).toEqual([
      ['gw-a', 'gw-b'],
      ['gw-a', 'gw-b'],
    ]);
  });

  it('answers 202 with the report so far when its URLs take longer than WARM_WAIT_MS', async () => {
    await svc.start({ WARM_WAIT_MS: '200' });
    await gateways(['gw-a'], () => 'hold');
    const response = await post({ urls: ['/a', '/b'] });
    expect(response.status).toBe(202);
    expect(await response.json()).toMatchObject({ state: 'running', total: 2, pending: 2 });
  });

  it('answers 202 at once with runAsync, with the warm id, its URL count and where to follow it', async () => {
    await svc.start();
    await gateways(['gw-a'], () => 'hold');
    const response = await post({ urls: ['/a', '/b'], runAsync: true });
    expect(response.status).toBe(202);
    const body = (await response.json()) as { id: string };
    expect(body).toEqual({ id: expect.any(String), state: 'running', total: 2, statusUrl: `/cache/warm/${body.id}` });
    expect(response.headers.get('location')).toBe(`/cache/warm/${body.id}`);
  });

  it('reports each URL of a warm stored, with the gateway that fetched it and every gateway that stored it', async () => {
    await svc.start();
    const peers = await gateways(['gw-a', 'gw-b', 'gw-c']);
    const id = await startWarm({ urls: ['/a', '/b?x=1', 'https://www.example.com/c?y=2#top'], cache: 'page' });

    const body = await done(id);
    expect(body).toMatchObject({ total: 3, stored: 3, cached: 0, notCacheable: 0, failed: 0, pending: 0, cache: 'page' });
    expect(Date.parse(body.finishedAt!)).toBeGreaterThanOrEqual(Date.parse(body.startedAt));
    expect(body.urls.map((u) => [u.url, u.path, u.state])).toEqual([
      ['/a', '/a', 'stored'],
      ['/b?x=1', '/b?x=1', 'stored'],
      ['https://www.example.com/c?y=2#top', '/c?y=2', 'stored'],
    ]);
    for (const url of body.urls) {
      expect(peers.ids).toContain(url.fetchedBy);
      expect(url.storedOn).toEqual(['gw-a', 'gw-b', 'gw-c']);
    }
    // Each URL went to one gateway, the one the report names, with the warm's cache.
    expect(peers.received.map((r) => [r.url, r.fetchBy, r.cache, r.warmId]).sort()).toEqual(body.urls.map((u) => [u.path, u.fetchedBy, 'page', id]).sort());
  });

  it('asks a gateway that follows its invalidation feed rather than one that lost it', async () => {
    await svc.start();
    const peers = await gateways(['gw-lost', 'gw-normal'], stored, ['gw-lost']);
    const body = await done(await startWarm({ urls: Array.from({ length: 8 }, (_, i) => `/p/${i}`) }));
    expect(new Set(body.urls.map((u) => u.fetchedBy))).toEqual(new Set(['gw-normal']));
    expect(new Set(peers.received.map((r) => r.fetchBy))).toEqual(new Set(['gw-normal']));
  });

  it('reports a URL its fetching gateway could not get as failed, with the status and reason', async () => {
    await svc.start();
    await gateways(['gw-a', 'gw-b'], (request) => (request.url === '/broken' ? { outcome: 'failed', status: 503, reason: 'origin answered 503' } : { outcome: 'stored', status: 200 }));
    const id = await startWarm({ urls: ['/fine', '/broken'] });

    const body = await done(id);
    expect(body).toMatchObject({ stored: 1, failed: 1 });
    expect(body.urls.find((u) => u.path === '/broken')).toMatchObject({ state: 'failed', status: 503, reason: 'origin answered 503', storedOn: [] });
  });

  it('reports a URL already fresh at its fetcher as cached, and one no rule allows storing as not-cacheable', async () => {
    await svc.start();
    await gateways(['gw-a'], (request) => (request.url === '/fresh' ? { outcome: 'cached' } : { outcome: 'not-cacheable', status: 200, reason: 'no rule' }));
    const body = await done(await startWarm({ urls: ['/fresh', '/private'] }));
    expect(body).toMatchObject({ cached: 1, notCacheable: 1, stored: 0 });
    expect(body.urls.map((u) => [u.path, u.state, u.storedOn])).toEqual([
      ['/fresh', 'cached', ['gw-a']],
      ['/private', 'not-cacheable', []],
    ]);
  });

  it('never has more than WARM_CONCURRENCY URLs outstanding, across warms', async () => {
    await svc.start({ WARM_CONCURRENCY: '3' });
    const peers = await gateways(['gw-a', 'gw-b'], () => 'hold');
    const first = await startWarm({ urls: Array.from({ length: 6 }, (_, i) => `/first/${i}`) });
    const second = await startWarm({ urls: Array.from({ length: 6 }, (_, i) => `/second/${i}`) });

    for (let answered = 0; answered < 12; answered++) {
      await eventually(() => expect(peers.held.length).toBe(Math.min(3, 12 - answered)));
      peers.release({ outcome: 'stored', status: 200 });
    }
    expect(peers.maxHeld).toBe(3);
    expect((await done(first)).stored).toBe(6);
    expect((await done(second)).stored).toBe(6);
    // Warms take turns: the second's URLs did not wait for all of the first's.
    const order = peers.received.map((r) => r.url);
    expect(order.findIndex((url) => url.startsWith('/second/'))).toBeLessThan(order.findLastIndex((url) => url.startsWith('/first/')));
  });

  it('settles a URL its fetcher never answers as failed by timeout, and still records the peers that store it later', async () => {
    await svc.start({ WARM_URL_TIMEOUT_MS: '300' });
    const peers = await gateways(['gw-a', 'gw-b'], () => 'hold');
    const id = await startWarm({ urls: ['/slow'] });

    const body = await done(id);
    expect(body.urls[0]).toMatchObject({ state: 'failed', reason: 'timeout', storedOn: [] });
    const [request] = peers.held;
    const peer = peers.ids.find((g) => g !== request!.fetchBy)!;
    peers.ack({ warmId: id, url: '/slow', gatewayId: peer, outcome: 'stored', fetched: false });
    await eventually(async () => expect((await report(id)).urls[0]!.storedOn).toEqual([peer]));
  });

  it('warms the URLs a sitemap lists, following a sitemap index one level deep', async () => {
    await svc.start();
    await gateways(['gw-a', 'gw-b']);
    origin = await startOrigin();
    const xml = (body: string) => ({ headers: { 'content-type': 'application/xml' }, body });
    origin.route(
      '/sitemap.xml',
      xml(`<?xml version="1.0" encoding="UTF-8"?>
        <sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
          <sitemap><loc>${origin.url}/sitemaps/products.xml</loc></sitemap>
          <sitemap><loc>${origin.url}/sitemaps/pages.xml</loc></sitemap>
        </sitemapindex>`),
    );
    origin.route(
      '/sitemaps/products.xml',
      xml(`<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">
          <url><loc>https://shop.example.com/products?page=1&amp;sort=price</loc><image:loc>https://cdn.example.com/p.jpg</image:loc></url>
          <url><loc> https://shop.example.com/products/42 </loc></url>
        </urlset>`),
    );
    origin.route('/sitemaps/pages.xml', xml(`<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc><![CDATA[https://shop.example.com/about?a=1&b=2]]></loc></url></urlset>`));

    const response = await post({ sitemap: `${origin.url}/sitemap.xml`, runAsync: true });
    expect(response.status).toBe(202);
    const { id, total } = (await response.json()) as { id: string; total: number };
    expect(total).toBe(3);

    const body = await done(id);
    expect(body.urls.map((u) => [u.url, u.path, u.state])).toEqual([
      ['https://shop.example.com/products?page=1&sort=price', '/products?page=1&sort=price', 'stored'],
      ['https://shop.example.com/products/42', '/products/42', 'stored'],
      ['https://shop.example.com/about?a=1&b=2', '/about?a=1&b=2', 'stored'],
    ]);
    expect(body.sitemap).toEqual({ url: `${origin.url}/sitemap.xml`, listed: 3, skipped: 0, truncated: false });
  });

  it('warms the URLs of a gzipped sitemap file', async () => {
    await svc.start();
    await gateways(['gw-a']);
    const body = gzipSync('<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://shop.example.com/zipped</loc></url></urlset>');
    origin = await startOrigin({ '/sitemap.xml.gz': {
      handle: (_request, response) => {
        response.writeHead(200, { 'content-type': 'application/gzip' }).end(body);
      },
    } });
    const warmed = await done(await startWarm({ sitemap: `${origin.url}/sitemap.xml.gz` }));
    expect(warmed.urls.map((u) => [u.path, u.state])).toEqual([['/zipped', 'stored']]);
  });

  it('answers 400 naming the sitemap for a document that is not a sitemap', async () => {
    await svc.start();
    await gateways(['gw-a']);
    origin = await startOrigin({ '/sitemap.xml': { headers: { 'content-type': 'text/html' }, body: '<html><body>not here</body></html>' } });
    const response = await post({ sitemap: `${origin.url}/sitemap.xml` });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'CAIRN_SITEMAP_INVALID', field: 'sitemap', message: expect.stringMatching(/is not a sitemap/) });
  });

  it('answers 502 naming the sitemap when its server is unreachable or answers an error', async () => {
    await svc.start();
    await gateways(['gw-a']);
    const unreachable = await post({ sitemap: `http://127.0.0.1:${await freePort()}/sitemap.xml` });
    expect(unreachable.status).toBe(502);
    expect(await unreachable.json()).toMatchObject({ error: 'CAIRN_SITEMAP_UNAVAILABLE', field: 'sitemap', message: expect.stringMatching(/ECONNREFUSED/) });

    origin = await startOrigin({ '/sitemap.xml': { status: 404 } });
    const missing = await post({ sitemap: `${origin.url}/sitemap.xml` });
    expect(missing.status).toBe(502);
    expect(await missing.json()).toMatchObject({ message: expect.stringMatching(/answered 404/) });
  });

  it('answers 400 naming the field for a body that is not a warm command', async () => {
    await svc.start();
    const cases: Array<[unknown, string]> = [
      [{}, 'urls'],
      [{ urls: ['/a'], sitemap: 'https://example.com/sitemap.xml' }, 'urls'],
      [{ urls: ['/a', 'ftp://example.com/x'] }, 'urls[1]'],
      [{ urls: ['/a'], cache: 'both' }, 'cache'],
      [{ sitemap: '/sitemap.xml' }, 'sitemap'],
      [{ urls: ['/a'], runAsync: 'yes' }, 'runAsync'],
    ];
    for (const [body, field] of cases) {
      const response = await post(body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(await response.json()).toMatchObject({ error: 'CAIRN_VALIDATION_FAILED', field });
    }
  });

  it('answers 503 when no gateway is live to warm with', async () => {
    await svc.start();
    const response = await post({ urls: ['/a'] });
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ error: 'CAIRN_NO_LIVE_GATEWAY' });
  });

  it('answers 404 for a warm it does not know', async () => {
    await svc.start();
    const response = await fetch(`${svc.service.url}/cache/warm/no-such-warm`);
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: 'CAIRN_NOT_FOUND' });
  });

  it('lists the URLs of a large warm a page at a time', async () => {
    await svc.start();
    await gateways(['gw-a'], () => 'hold');
    const urls = Array.from({ length: 1500 }, (_, i) => `/item/${i}`);
    const id = await startWarm({ urls });

    const firstPage = await report(id);
    expect(firstPage).toMatchObject({ total: 1500, pending: 1500, offset: 0, next: 1000 });
    expect(firstPage.urls).toHaveLength(1000);
    const lastPage = await report(id, '?offset=1000');
    expect(lastPage.urls.map((u) => u.path)).toEqual(urls.slice(1000));
    expect(lastPage.next).toBeNull();
    expect((await fetch(`${svc.service.url}/cache/warm/${id}?limit=1001`)).status).toBe(400);
  });

  it('warms a URL given twice once', async () => {
    await svc.start();
    const peers = await gateways(['gw-a']);
    const body = await done(await startWarm({ urls: ['/same', 'http://example.com/same', '/same#part'] }));
    expect(body.total).toBe(1);
    expect(peers.received.map((r) => r.url)).toEqual(['/same']);
  });

  it('counts and skips malformed warm acknowledgements, and still settles the URL on a valid one', async () => {
    await svc.start();
    const peers = await gateways(['gw-a'], () => 'hold');
    const id = await startWarm({ urls: ['/a'] });
    await eventually(() => expect(peers.held).toHaveLength(1));
    svc.nc.publish(subjects.warmAcks, new TextEncoder().encode('not json'));
    svc.nc.publish(subjects.warmAcks, encodeMessage({ warmId: id, url: '/a', gatewayId: 'gw-a', outcome: 'maybe', fetched: true }));
    await eventually(async () => expect(await svc.metrics()).toMatch(/cairn_invalidation_malformed_messages_total\{subject="cache.acks.warm"\} 2/));
    expect((await report(id)).pending).toBe(1);

    peers.release({ outcome: 'stored', status: 200 });
    expect((await done(id)).stored).toBe(1);
  });

  it('ignores acknowledgements of warms it does not know, and of gateways it did not ask', async () => {
    await svc.start();
    const peers = await gateways(['gw-a'], () => 'hold');
    const id = await startWarm({ urls: ['/a'] });
    await eventually(() => expect(peers.held).toHaveLength(1));
    peers.ack({ warmId: 'someone-elses', url: '/a', gatewayId: 'gw-a', outcome: 'stored', fetched: true });
    peers.ack({ warmId: id, url: '/a', gatewayId: 'gw-intruder', outcome: 'failed', fetched: true });
    await eventually(async () => {
      const metrics = await svc.metrics();
      expect(metrics).toMatch(/cairn_invalidation_warm_acks_ignored_total\{reason="unknown-warm"\} 1/);
      expect(metrics).toMatch(/cairn_invalidation_warm_acks_ignored_total\{reason="not-fetcher"\} 1/);
    });
    expect((await report(id)).urls[0]).toMatchObject({ state: 'pending', fetchedBy: 'gw-a' });
  });

  it('counts the URLs requested and completed by outcome', async () => {
    await svc.start();
    await gateways(['gw-a'], (request) => (request.url === '/bad' ? { outcome: 'failed', status: 500 } : { outcome: 'stored', status: 200 }));
    await done(await startWarm({ urls: ['/good', '/bad', '/also-good'] }));
    const metrics = await svc.metrics();
    expect(metrics).toMatch(/cairn_invalidation_warm_urls_total\{source="urls"\} 3/);
    expect(metrics).toMatch(/cairn_invalidation_warm_urls_completed_total\{outcome="stored"\} 2/);
    expect(metrics).toMatch(/cairn_invalidation_warm_urls_completed_total\{outcome="failed"\} 1/);
    expect(metrics).toMatch(/cairn_invalidation_warm_outstanding 0/);
  });

  it('lets only cache_admin and super_user start a warm, and any role read it', async () => {
    const users = await tempDir('cairn-users-');
    try {
      const cheap = { N: 1024, r: 8, p: 1 };
      const file = join(users.path, 'users.json');
      const entries = [
        { username: 'viewer', passwordHash: await hashPassword('view-pw', cheap), roles: ['cache_user'] },
        { username: 'admin', passwordHash: await hashPassword('admin-pw', cheap), roles: ['cache_admin'] },
      ];
      writeFileSync(file, JSON.stringify({ users: entries }));
      await svc.start({ AUTH_REQUIRED: 'true', USERS_FILE: file });
      fleet = startGatewayFleet(svc.nc, ['gw-a'], () => 'hold');
      const basic = (user: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });

      expect((await post({ urls: ['/a'] })).status).toBe(401);
      expect((await post({ urls: ['/a'] }, basic('viewer', 'view-pw'))).status).toBe(403);
      const started = await eventually(async () => {
        const response = await post({ urls: ['/a'] }, basic('admin', 'admin-pw'));
        expect(response.status).toBe(202);
        return (await response.json()) as { id: string };
      });
      const read = await fetch(`${svc.service.url}/cache/warm/${started.id}`, { headers: basic('viewer', 'view-pw') });
      expect(read.status).toBe(200);
      expect(await read.json()).toMatchObject({ requestedBy: 'admin' });
    } finally {
      await users.remove();
    }
  });
});
