/**
 * The shipped nats-server permissions (README, NATS permissions), end to end: every service
 * connects as its own user and the normal flow works, while a gateway's or an operator's
 * credentials cannot write rule or invalidation events.
 */
import { createServer } from 'node:net';
import { encodeMessage, headers, streamNames, subjects, type InvalidationEvent } from '@cairn/shared';
import { eventually } from '@cairn/testing';
import { ErrorCode, headers as natsHeaders, type NatsConnection, type NatsError } from 'nats';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cacheHeader, call } from './harness.js';
import { startLeastPrivilegeSystem, type LeastPrivilegeSystem } from './least-privilege-system.js';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * The server's answer to a core publish or subscribe: its `-ERR` arrives before the flush's
 * PONG, so once the flush returns the refusal (if any) has been reported.
 */
async function refusalOf(nc: NatsConnection, act: () => void): Promise<string | undefined> {
  let refusal: string | undefined;
  const watch = (async () => {
    for await (const event of nc.status()) if (event.type === 'error') return (refusal = String(event.data));
    return undefined;
  })();
  act();
  await nc.flush();
  await Promise.race([watch, nc.flush()]);
  return refusal;
}

const publishRefusal = (nc: NatsConnection, subject: string, data: Uint8Array) => refusalOf(nc, () => nc.publish(subject, data));

async function jsPublishError(nc: NatsConnection, subject: string, data: Uint8Array): Promise<NatsError> {
  return (await nc
    .jetstream()
    .publish(subject, data, { timeout: 2000 })
    .then(
      () => {
        throw new Error(`publish on ${subject} was accepted`);
      },
      (err: unknown) => err,
    )) as NatsError;
}

const forgedPurge: InvalidationEvent = { id: 'forged', kind: 'scope', cache: 'page', mode: 'hard', issuedAt: new Date().toISOString(), source: 'nats' };

describe('least-privilege NATS users, end to end', () => {
  let sys: LeastPrivilegeSystem;
  beforeEach(async () => {
    sys = await startLeastPrivilegeSystem();
  });
  afterEach(async () => {
    await sys.close();
  });

  const putRule = async (base: string, id: string, rule: Record<string, unknown>) => {
    const response = await call(base, 'PUT', `/rules/${id}`, rule);
    expect(response.status).toBe(204);
  };

  it('a gateway that may not create streams waits for their owners, naming them in /ready, then serves (#11)', async () => {
    const adminPort = await freePort();
    const starting = sys.startGateway('g1', { ADMIN_PORT: String(adminPort) });
    const ready = async () => (await (await fetch(`http://127.0.0.1:${adminPort}/ready`)).json()) as { ready: boolean; streamsMissing?: string[] };
    await eventually(async () => expect(await ready()).toMatchObject({ ready: false, streamsMissing: [streamNames.rules, streamNames.invalidations] }));
    expect((await fetch(`http://127.0.0.1:${adminPort}/ready`)).status).toBe(503);
    expect(await (await fetch(`http://127.0.0.1:${adminPort}/metrics`)).text()).toContain(`cairn_gateway_streams_missing{stream="${streamNames.rules}"} 1`);

    await sys.startRules();
    await eventually(async () => expect((await ready()).streamsMissing).toEqual([streamNames.invalidations]), { timeoutMs: 10_000 });
    await sys.startInvalidation();
    const gateway = await starting;

    expect(await ready()).toMatchObject({ ready: true });
    expect((await ready()).streamsMissing).toBeUndefined();
    expect(await cacheHeader(`${gateway.url}/page`)).toBe('PASS');
  });

  it('with every service on its own user, a rule PUT reaches the gateway and REST and operator invalidations both apply (#11)', async () => {
    const rules = await sys.startRules();
    const invalidation = await sys.startInvalidation();
    const gateway = await sys.startGateway('g1');
    await putRule(rules.url, 'all', { pathPatterns: ['^/.*$'], ttl: '1h' });
    await eventually(async () => expect(await cacheHeader(`${gateway.url}/a`)).toBe('MISS'));
    expect(await cacheHeader(`${gateway.url}/a`)).toBe('HIT');

    // REST: confirmed by the gateway's ack, which needs its heartbeat and ack grants.
    await eventually(async () => expect(((await (await call(invalidation.url, 'GET', '/gateways')).json()) as { gateways: unknown[] }).gateways.length).toBeGreaterThan(0));
    const rest = await call(invalidation.url, 'POST', '/cache/invalidate', { type: 'url', url: '/a' });
    expect(rest.status).toBe(200);
    expect(await cacheHeader(`${gateway.url}/a`)).toBe('MISS');
    expect(await cacheHeader(`${gateway.url}/a`)).toBe('HIT');

    // What `nats pub cache.invalidate '{...}'` does, as the operator user, with a reply asked for.
    const operator = await sys.connectAs('operator');
    const inbox = `cache.replies.${Date.now()}`;
    const replies = operator.subscribe(inbox, { max: 1 });
    const h = natsHeaders();
    h.set(headers.natsReplyTo, inbox);
    operator.publish(subjects.invalidationCommands, encodeMessage({ type: 'url', url: '/a' }), { headers: h });
    for await (const reply of replies) expect(reply.json()).toMatchObject({ event: { kind: 'url', key: '/a' } });
    await eventually(async () => expect(await cacheHeader(`${gateway.url}/a`)).toBe('MISS'));

    // The services' reads under their grants: a rule's history, the invalidation listing.
    expect((await call(rules.url, 'GET', '/rules/all/history')).status).toBe(200);
    const listing = await call(invalidation.url, 'GET', '/cache/invalidations');
    expect(listing.status).toBe(200);
    expect(JSON.stringify(await listing.json())).toContain('"/a"');
  });

  it("a gateway's credentials cannot publish a rule event or an invalidation event, nor manage streams, and the gateway keeps its state (#11)", async () => {
    const rules = await sys.startRules();
    await sys.startInvalidation();
    const gateway = await sys.startGateway('g1');
    await putRule(rules.url, 'all', { pathPatterns: ['^/.*$'], ttl: '1h' });
    await eventually(async () => expect(await cacheHeader(`${gateway.url}/kept`)).toBe('MISS'));
    const asGateway = await sys.connectAs('gateway');

    const forgedRule = encodeMessage({ op: 'delete' });
    expect((await jsPublishError(asGateway, subjects.rule('all'), forgedRule)).code).toBe(ErrorCode.PermissionsViolation);
    const forgedSubject = subjects.invalidation('scope', 'page', undefined);
    expect((await jsPublishError(asGateway, forgedSubject, encodeMessage(forgedPurge))).code).toBe(ErrorCode.PermissionsViolation);
    expect(await publishRefusal(asGateway, forgedSubject, encodeMessage(forgedPurge))).toBe(ErrorCode.PermissionsViolation);
    // It may send commands (PURGE), which the invalidation service checks and turns into events.
    // Nor read another service's replies (each has its own inbox prefix).
    expect(await refusalOf(asGateway, () => asGateway.subscribe('_INBOX_rules.>'))).toBe(ErrorCode.PermissionsViolation);
    const jsm = await asGateway.jetstreamManager();
    await expect(jsm.streams.delete(streamNames.rules)).rejects.toMatchObject({ code: ErrorCode.PermissionsViolation });
    await expect(jsm.streams.purge(streamNames.invalidations)).rejects.toMatchObject({ code: ErrorCode.PermissionsViolation });

    // Nothing was stored, and the gateway still has its rule and its entry.
    const asInvalidation = await (await sys.connectAs('invalidation')).jetstreamManager();
    expect((await asInvalidation.streams.info(streamNames.invalidations)).state.messages).toBe(0);
    const rulesInfo = await (await (await sys.connectAs('rules')).jetstreamManager()).streams.info(streamNames.rules);
    expect(rulesInfo.state.messages).toBe(1);
    expect(await cacheHeader(`${gateway.url}/kept`)).toBe('HIT');
    const ready = (await (await fetch(`${gateway.adminUrl}/ready`)).json()) as { rules: { count: number } };
    expect(ready.rules.count).toBe(1);
  });

  it('a gateway purges through the invalidation service under the shipped permissions (#11)', async () => {
    const rules = await sys.startRules();
    await sys.startInvalidation();
    const gateway = await sys.startGateway('g1');
    await putRule(rules.url, 'all', { pathPatterns: ['^/.*$'], ttl: '1h' });
    await eventually(async () => expect(await cacheHeader(`${gateway.url}/purged`)).toBe('MISS'));
    expect(await cacheHeader(`${gateway.url}/purged`)).toBe('HIT');
    const purge = await fetch(`${gateway.url}/purged`, { method: 'PURGE' });
    const report = (await purge.json()) as { acknowledgedBy: string[] };
    expect([purge.status, report.acknowledgedBy]).toEqual([200, ['g1']]);
    expect(await cacheHeader(`${gateway.url}/purged`)).toBe('MISS');
  });

  it('the operator may publish cache.invalidate only: rule and invalidation events from it are refused (#11)', async () => {
    await sys.startRules();
    await sys.startInvalidation();
    const operator = await sys.connectAs('operator');
    expect(await publishRefusal(operator, subjects.rule('evil'), encodeMessage({ op: 'delete' }))).toBe(ErrorCode.PermissionsViolation);
    expect(await publishRefusal(operator, subjects.invalidation('scope', 'page', undefined), encodeMessage(forgedPurge))).toBe(ErrorCode.PermissionsViolation);
    expect((await jsPublishError(operator, subjects.rule('evil'), encodeMessage({ op: 'delete' }))).code).toBe(ErrorCode.PermissionsViolation);
    const rulesInfo = await (await (await sys.connectAs('rules')).jetstreamManager()).streams.info(streamNames.rules);
    expect(rulesInfo.state.messages).toBe(0);
  });

  it('each service user writes only its own events: rules cannot publish invalidations, invalidation cannot publish rules (#11)', async () => {
    await sys.startRules();
    await sys.startInvalidation();
    const asRules = await sys.connectAs('rules');
    const asInvalidation = await sys.connectAs('invalidation');
    expect((await jsPublishError(asRules, subjects.invalidation('scope', 'page', undefined), encodeMessage(forgedPurge))).code).toBe(ErrorCode.PermissionsViolation);
    expect((await jsPublishError(asInvalidation, subjects.rule('evil'), encodeMessage({ op: 'delete' }))).code).toBe(ErrorCode.PermissionsViolation);
    expect(await publishRefusal(asRules, subjects.invalidationCommands, encodeMessage({ type: 'page' }))).toBe(ErrorCode.PermissionsViolation);
  });
});
