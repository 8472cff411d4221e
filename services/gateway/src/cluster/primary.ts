/**
 * The primary of a multi-process gateway node (WORKERS > 1; README, Workers). It forks
 * WORKERS workers (node:cluster), which share the proxy port and the LMDB environment
 * and each follow the rule and invalidation feeds. The primary serves no proxy request: it
 * holds the node's fill leases (one origin fill per key per node), speaks for the node on
 * NATS under the one GATEWAY_ID (heartbeat and acks over its workers), serves ADMIN_PORT
 * (`/ready` over every worker, `/metrics` aggregated), and restarts a worker that dies.
 */
import cluster, { type Worker } from 'node:cluster';
import { connectNats, createAuthenticator, createHttpServer, ensureDirectory, ensureListenable, healthOf, isDraining, loadUsersFile, readinessWhileDraining, registerBuildInfo, type Logger, type Readiness } from '@cairn/shared';
import { AggregatorRegistry, Counter, Gauge, Registry } from 'prom-client';
import type { GatewayConfig } from '../config.js';
import { GatewayPresence } from '../control/presence.js';
import { FillLeases } from './fill-leases.js';
import { isWorkerMessage, WORKER_INDEX_ENV, type LeaseEnd, type PrimaryMessage, type SharedFailure, type WorkerMessage } from './ipc.js';
import { NodeAcks } from './node-acks.js';

/** A worker whose last report is older than this counts as not ready (it reports every 250 ms). */
const STATE_STALE_MS = 2_000;
/** A worker that dies sooner than this after its start is in a crash loop: its restarts back off. */
const CRASH_LOOP_UPTIME_MS = 10_000;
const RESTART_DELAY_MS = 100;
const RESTART_DELAY_MAX_MS = 30_000;
/** How long workers get to finish their responses on shutdown before they are killed. */
const WORKER_CLOSE_MS = 25_000;
/** How often the primary repeats its stop to a worker that has not exited yet. */
const STOP_REPEAT_MS = 250;
/** Lease bound past the fill's own deadline (REQUEST_TIMEOUT_MS), for the commit and the release. */
const LEASE_GRACE_MS = 2_000;

interface Slot {
  index: number;
  worker: Worker | undefined;
  startedAt: number;
  restartDelayMs: number;
  state: { readiness: Readiness; at: number } | undefined;
  restartTimer: NodeJS.Timeout | undefined;
}

export interface GatewayPrimary {
  adminUrl: string;
  /** SIGHUP: checks USERS_FILE (throws when it is bad: each worker then keeps its users too). */
  reloadUsers(): void;
  /** After every SIGHUP: passes it to every worker, which reloads what it reads itself. */
  reloaded(): void;
  close(): Promise<void>;
}

export async function startPrimary(config: GatewayConfig, logger: Logger): Promise<GatewayPrimary> {
  const { env } = config;
  const log = logger.child({ gatewayId: env.GATEWAY_ID, role: 'primary' });
  // What would stop a worker's start stops the node's, once, before any worker runs: a
  // missing or bad USERS_FILE is one line from here, not a restart loop of workers.
  createAuthenticator(env, { failed: () => undefined, refused: () => undefined });
  // So do a taken PORT and a DATA_DIR that cannot be created, which every worker would fail on.
  await ensureListenable('PORT', env.HOST, env.PORT);
  ensureDirectory('DATA_DIR', env.DATA_DIR);
  const registry = new Registry();
  registerBuildInfo(registry, 'gateway');
  const restarts = new Counter({ name: 'cairn_gateway_worker_restarts_total', help: 'Workers restarted after they exited while the gateway was running.', registers: [registry] });
  const leaseCount = new Gauge({ name: 'cairn_gateway_fill_leases', help: 'Fill leases the primary holds (fills in flight that other workers may wait for).', registers: [registry] });
  const leaseTimeouts = new Counter({ name: 'cairn_gateway_fill_lease_timeouts_total', help: 'Fill leases ended because their fill ran past REQUEST_TIMEOUT_MS; their waiters filled themselves.', registers: [registry] });
  const aggregator = new AggregatorRegistry();
  const leases = new FillLeases(env.REQUEST_TIMEOUT_MS + LEASE_GRACE_MS, (key, worker) => {
    leaseTimeouts.inc();
    log.warn({ key, worker }, 'fill lease timed out');
  });
  const slots: Slot[] = Array.from({ length: env.WORKERS }, (_, index) => ({ index, worker: undefined, startedAt: 0, restartDelayMs: RESTART_DELAY_MS, state: undefined, restartTimer: undefined }));
  const workersReady = new Gauge({
    name: 'cairn_gateway_workers_ready',
    help: 'Workers serving the proxy port (out of WORKERS).',
    registers: [registry],
    collect() {
      this.set(slots.filter((slot) => slotReady(slot, Date.now())).length);
    },
  });
  void workersReady;

  const nats = await connectNats(env, `cairn-gateway-${env.GATEWAY_ID}`, log, { ownStreams: [] });
  let presence: GatewayPresence | undefined;
  const acks = new NodeAcks((eventId, seq, deleted) => presence?.ack(eventId, seq, deleted));
  let stopping = false;
  let adminUrl = '';

  const answer = (slot: Slot, id: number) => (result: 'lead' | LeaseEnd, lease: number, failure?: SharedFailure, afterFill?: boolean) => {
    const message: PrimaryMessage = { cairn: 'lease-answer', id, answer: result, lease, ...(failure === undefined ? {} : { failure }), ...(afterFill === true ? { afterFill } : {}) };
    if (slot.worker?.isConnected() === true) slot.worker.send(message);
  };
  // sync-removals in progress: the asking worker and the workers yet to answer, by the id the primary gave it.
  const syncs = new Map<number, { slot: Slot; id: number; waiting: Set<number> }>();
  let nextSync = 1;
  const syncDone = (syncId: number) => {
    const sync = syncs.get(syncId);
    if (sync === undefined || sync.waiting.size > 0) return;
    syncs.delete(syncId);
    if (sync.slot.worker?.isConnected() === true) sync.slot.worker.send({ cairn: 'removals-synced', id: sync.id } satisfies PrimaryMessage);
  };
  const handle = (slot: Slot, message: WorkerMessage): void => {
    switch (message.cairn) {
      case 'sync-removals': {
        const syncId = nextSync++;
        const others = slots.filter((other) => other !== slot && other.worker?.isConnected() === true);
        syncs.set(syncId, { slot, id: message.id, waiting: new Set(others.map((other) => other.index)) });
        for (const other of others) other.worker?.send({ cairn: 'tail-removals', id: syncId } satisfies PrimaryMessage);
        return syncDone(syncId);
      }
      case 'removals-tailed': {
        syncs.get(message.id)?.waiting.delete(slot.index);
        return syncDone(message.id);
      }
      case 'lease':
        return leases.acquire(message.key, slot.index, message.fillSeq, answer(slot, message.id));
      case 'filled':
        return leases.filled(message.lease, slot.index);
      case 'await-leases':
        return leases.whenEnded(message.key, () => {
          if (slot.worker?.isConnected() === true) slot.worker.send({ cairn: 'leases-ended', id: message.id } satisfies PrimaryMessage);
        });
      case 'release':
        return leases.release(message.lease, slot.index, message.end, message.failure);
      case 'applied':
        return acks.applied(slot.index, message.eventId, message.seq, message.deleted);
      case 'state': {
        slot.state = { readiness: message.readiness, at: Date.now() };
        acks.state(slot.index, { ready: message.readiness.ready, appliedSeq: message.appliedSeq, feedLost: message.feedLost, lookups: message.lookups });
        // The node is announced once every worker serves, as a single process is once it listens.
        if (presence === undefined && slots.every((s) => slotReady(s, Date.now()))) {
          presence = new GatewayPresence(nats.nc, env.GATEWAY_ID, () => acks.heartbeat(), log.child({ component: 'presence' }));
          presence.start();
          log.info({ url: message.url, adminUrl, workers: slots.length }, 'listening');
        }
        return;
      }
    }
  };

  const fork = (slot: Slot): void => {
    slot.restartTimer = undefined;
    // GATEWAY_ID is the primary's: its default names this process, and the node acks as one.
    const worker = cluster.fork({ GATEWAY_ID: env.GATEWAY_ID, [WORKER_INDEX_ENV]: String(slot.index) });
    slot.worker = worker;
    slot.startedAt = Date.now();
    slot.state = undefined;
    worker.on('message', (message: unknown) => {
      // The channel may deliver a last report after the exit: it speaks for a worker now gone.
      if (slot.worker === worker && isWorkerMessage(message)) handle(slot, message);
    });
    worker.on('exit', (code, signal) => {
      if (slot.worker !== worker) return;
      slot.worker = undefined;
      slot.state = undefined;
      const ended = leases.leaderGone(slot.index);
      // A worker gone holds nothing in memory: syncs waiting on it need not.
      for (const [syncId, sync] of syncs) if (sync.waiting.delete(slot.index)) syncDone(syncId);
      acks.gone(slot.index);
      if (stopping) return;
      // A signal sent to the whole process group kills a worker still loading its modules
      // (its handlers are not installed yet): expected while the node drains, not a crash.
      if (isDraining()) {
        log.info({ worker: slot.index, pid: worker.process.pid, code, signal }, 'worker exited while the node drains');
        return;
      }
      // A worker that fails the node's first start (its store cannot open, say) would fail
      // again: the node stops, as a single process does, instead of restarting it forever.
      if (presence === undefined && code !== 0) {
        log.error({ worker: slot.index, pid: worker.process.pid, code, signal }, 'worker failed to start, stopping the node');
        stopping = true;
        void Promise.all(slots.map((other) => closeWorker(other, log))).finally(() => process.exit(1));
        return;
      }
      const uptimeMs = Date.now() - slot.startedAt;
      slot.restartDelayMs = uptimeMs < CRASH_LOOP_UPTIME_MS ? Math.min(slot.restartDelayMs * 2, RESTART_DELAY_MAX_MS) : RESTART_DELAY_MS;
      restarts.inc();
      log.error({ worker: slot.index, pid: worker.process.pid, code, signal, uptimeMs, leasesEnded: ended, restartInMs: slot.restartDelayMs }, 'worker exited, restarting');
      slot.restartTimer = setTimeout(() => fork(slot), slot.restartDelayMs);
    });
  };
  for (const slot of slots) fork(slot);
  log.info({ workers: slots.length, pid: process.pid }, 'workers started');

  const admin = createHttpServer(log.child({ component: 'admin' }));
  admin.get('/health', async () => healthOf({ ready: true, nats: nats.isConnected() }));
  admin.get('/ready', async (_request, reply) => {
    const readiness = readinessWhileDraining(nodeReadiness(slots, nats.isConnected(), Date.now()));
    return reply.code(readiness.ready ? 200 : 503).send(readiness);
  });
  admin.get('/metrics', async (_request, reply) => {
    // Every worker answers prom-client's request; one that is gone or starting may not in time.
    const workers = await aggregator.clusterMetrics().catch((err: unknown) => {
      log.warn({ err }, 'collecting worker metrics failed');
      return '';
    });
    leaseCount.set(leases.size);
    return reply.header('content-type', registry.contentType).send(`${workers}\n${await registry.metrics()}`);
  });
  adminUrl = await admin.listen({ port: env.ADMIN_PORT, host: env.ADMIN_HOST });
  log.info({ adminUrl }, 'admin listening');

  return {
    adminUrl,
    reloadUsers() {
      if (env.AUTH_REQUIRED && env.USERS_FILE !== undefined) loadUsersFile(env.USERS_FILE);
    },
    reloaded() {
      for (const slot of slots) if (slot.worker?.isConnected() === true) slot.worker.send({ cairn: 'reload' } satisfies PrimaryMessage);
    },
    async close() {
      stopping = true;
      presence?.stop();
      for (const slot of slots) clearTimeout(slot.restartTimer);
      await Promise.all(slots.map((slot) => closeWorker(slot, log)));
      leases.clear();
      await admin.close();
      await nats.nc.drain();
    },
  };
}

function slotReady(slot: Slot, now: number): boolean {
  return slot.worker !== undefined && slot.state !== undefined && slot.state.readiness.ready && now - slot.state.at <= STATE_STALE_MS;
}

interface Positions {
  rules?: { revision?: number };
  invalidations?: { appliedSeq?: number };
}

/** How far a worker's feeds are: its rule revision, then its applied invalidation sequence. */
function behind(a: Readiness, b: Readiness): number {
  const [x, y] = [a as Positions, b as Positions];
  return (x.rules?.revision ?? 0) - (y.rules?.revision ?? 0) || (x.invalidations?.appliedSeq ?? 0) - (y.invalidations?.appliedSeq ?? 0);
}

/**
 * `/ready` of the node: today's sections as the least advanced worker reports them (so a
 * caller waiting for a rule revision waits for every worker), ready only when every worker
 * is, and each worker's own answer under `workers`.
 */
function nodeReadiness(slots: readonly Slot[], natsConnected: boolean, now: number): Readiness {
  const workers = slots.map((slot) => ({
    index: slot.index,
    pid: slot.worker?.process.pid,
    ...(slot.state?.readiness ?? { ready: false }),
    ready: slotReady(slot, now),
  }));
  const reports = slots.flatMap((slot) => (slot.state === undefined ? [] : [slot.state.readiness]));
  const least = reports.sort(behind)[0] ?? {};
  return { ...least, ready: natsConnected && workers.every((w) => w.ready), nats: natsConnected, workers };
}

/**
 * Tells the worker to stop: it stops accepting and finishes its responses (main.ts); killed
 * past WORKER_CLOSE_MS. A message, not a signal, since workers leave signals to the primary.
 */
function closeWorker(slot: Slot, log: Logger): Promise<void> {
  const worker = slot.worker;
  if (worker === undefined || worker.isDead()) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => {
      log.error({ worker: slot.index, pid: worker.process.pid }, 'worker did not close in time, killing it');
      worker.process.kill('SIGKILL');
    }, WORKER_CLOSE_MS);
    // Said again until it exits: a worker still loading its modules has no listener yet, and
    // a message without one is lost. One whose channel is gone is exiting already.
    const ask = () => {
      if (worker.isConnected()) worker.send({ cairn: 'stop' } satisfies PrimaryMessage);
    };
    const again = setInterval(ask, STOP_REPEAT_MS);
    worker.once('exit', () => {
      clearTimeout(kill);
      clearInterval(again);
      resolve();
    });
    ask();
  });
}
