/**
 * Fill replication (README, Active caching): every fill this gateway stores is offered to its
 * peers on core NATS, and every peer's fill is stored here as if this gateway had made it, so
 * a fleet asks the origin about once per object rather than once per gateway.
 *
 * Core NATS rather than a JetStream stream: a fill is worth something only while it is
 * recent, a peer that misses one asks the origin on its next miss as before, and a stream
 * would write every body to the NATS servers' disks (measured in the README).
 *
 * A peer's entry obeys the clock-free rule (README, Invalidation): it keeps the filler's
 * fillSeq, a sequence of the same CACHE_INVALIDATIONS stream, so it is refused if an
 * invalidation newer than the fill has been applied here, and an invalidation applied later
 * wins over it like over a local fill. Of two fills of one key the higher fillSeq (then
 * the later one) stays.
 *
 * Fleet-wide coalescing: each fill this gateway leads is announced when it starts (and when
 * it ends with nothing to replicate). A peer that misses on an announced key waits, at most
 * FLEET_FILL_WAIT_MS, for the replicated fill rather than asking the origin as well, as its
 * own concurrent misses wait for its own fill. Two gateways that miss within the time an
 * announcement takes to arrive both ask the origin (measured in the README).
 */
import { decodeReplicatedFill, encodeReplicatedFill, fillIntentSchema, subjects, type FillIntent, type Logger, type ReplicatedFill } from '@cairn/shared';
import { Packr } from 'msgpackr';
import type { Msg, NatsConnection, Subscription } from 'nats';
import type { GatewayContext } from '../context.js';
import type { FillResult } from '../flow/fill-registry.js';
import { putEntry } from '../flow/store.js';
import type { EntryMeta } from '../store/cache-entry.js';
import { isVariant, isVariantMarker, variantKey } from '../store/variants.js';
import { Verdict } from './invalidation-map.js';

/** Room left in a NATS message for the envelope and the metadata beside a body. */
const ENVELOPE_BYTES = 64 * 1024;

export type ReplicaResult = 'stored' | 'announced' | 'invalidated' | 'older' | 'other-stream' | 'unwritable' | 'malformed';

/** Keys peers announced they are filling, remembered at most; past it, expired ones are dropped, else new ones ignored. */
const ANNOUNCED_KEYS = 10_000;
const intentPackr = new Packr({ useRecords: false });

/** What ended a wait for a peer's fill: its replica stored here, its end without one, or the bound. */
export type PeerFillEnd = 'stored' | 'unstored' | 'timeout';

interface Announced {
  until: number;
  waiters: Array<(end: PeerFillEnd) => void>;
}

/** Tells the warming's service that this gateway stored a replicated warm fill. */
export type WarmStored = (warmId: string, meta: EntryMeta) => void;

export class FillReplication {
  readonly #nc: NatsConnection;
  readonly #gatewayId: string;
  readonly #logger: Logger;
  #context: GatewayContext | undefined;
  #subscription: Subscription | undefined;
  #intents: Subscription | undefined;
  #warmStored: WarmStored | undefined;
  readonly #announced = new Map<string, Announced>();

  constructor(nc: NatsConnection, gatewayId: string, logger: Logger) {
    this.#nc = nc;
    this.#gatewayId = gatewayId;
    this.#logger = logger;
  }

  /** Starts storing peers' fills; one worker of a node receives each (the node's queue group). */
  start(context: GatewayContext, warmStored: WarmStored): void {
    this.#context = context;
    this.#warmStored = warmStored;
    this.#subscription = this.#nc.subscribe(subjects.fillReplication, {
      queue: subjects.nodeQueue(this.#gatewayId),
      callback: (err, msg) => {
        if (err !== null) return this.#logger.warn({ err }, 'fill replication subscription failed');
        // nats.js does not guard its callbacks: a throw here would stop this connection's reads.
        try {
          this.#receive(msg);
        } catch (err) {
          this.#logger.error({ err }, 'storing a replicated fill failed');
        }
      },
    });
    if (context.env.FLEET_FILL_WAIT_MS === 0) return;
    // Every worker: each may have a miss waiting for the key.
    this.#intents = this.#nc.subscribe(subjects.fillIntents, {
      callback: (err, msg) => {
        if (err !== null) return this.#logger.warn({ err }, 'fill intent subscription failed');
        this.#intent(msg);
      },
    });
    context.fills.onLead = (key, result) => this.#announce(key, result);
  }

  stop(): void {
    this.#subscription?.unsubscribe();
    this.#intents?.unsubscribe();
    for (const key of [...this.#announced.keys()]) this.#ended(key, 'timeout');
  }

  /** Whether a peer announced it is filling `key` (and the announcement is recent enough to wait for). */
  peerFilling(key: string, now: number): boolean {
    const announced = this.#announced.get(key);
    return announced !== undefined && announced.until > now;
  }

  /** Resolves when the peer's fill of `key` is stored here, ended unstored, or the wait's bound passed. */
  awaitPeer(key: string, now: number): Promise<PeerFillEnd> {
    const announced = this.#announced.get(key);
    if (announced === undefined || announced.until <= now) return Promise.resolve('timeout');
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.#ended(key, 'timeout'), announced.until - now);
      announced.waiters.push((end) => {
        clearTimeout(timer);
        resolve(end);
      });
    });
  }

  #announce(key: string, result: Promise<FillResult>): void {
    this.#publishIntent({ gatewayId: this.#gatewayId, key, state: 'started' });
    void result.then((settled) => {
      if (settled.kind !== 'entry' || !settled.stored) this.#publishIntent({ gatewayId: this.#gatewayId, key, state: 'unstored' });
    });
  }

  #publishIntent(intent: FillIntent): void {
    if (this.#nc.isClosed()) return;
    try {
      this.#nc.publish(subjects.fillIntents, intentPackr.pack(intent));
    } catch (err) {
      this.#logger.warn({ err, key: intent.key }, 'announcing a fill to the peers failed');
    }
  }

  #intent(msg: Msg): void {
    let value: unknown;
    try {
      value = intentPackr.unpack(msg.data);
    } catch {
      value = undefined;
    }
    const parsed = fillIntentSchema.safeParse(value);
    if (!parsed.success) {
      this.#logger.warn({ bytes: msg.data.length }, 'malformed fill intent skipped');
      return this.#count('malformed');
    }
    const { gatewayId, key, state } = parsed.data;
    if (gatewayId === this.#gatewayId) return;
    if (state === 'unstored') return this.#ended(key, 'unstored');
    const context = this.#context as GatewayContext;
    const now = Date.now();
    const current = this.#announced.get(key);
    if (current === undefined && this.#announced.size >= ANNOUNCED_KEYS && !this.#dropExpired(now)) return;
    this.#announced.set(key, { until: now + context.env.FLEET_FILL_WAIT_MS, waiters: current?.waiters ?? [] });
  }

  /** Forgets announcements nobody waits for that are past their bound; whether room was made. */
  #dropExpired(now: number): boolean {
    for (const [key, announced] of this.#announced) if (announced.until <= now && announced.waiters.length === 0) this.#announced.delete(key);
    return this.#announced.size < ANNOUNCED_KEYS;
  }

  /** The wait for `key` is over: its waiters go on (to the store, or to the origin). */
  #ended(key: string, end: PeerFillEnd): void {
    const announced = this.#announced.get(key);
    if (announced === undefined) return;
    this.#announced.delete(key);
    for (const wake of announced.waiters) wake(end);
  }

  /** Publishes a stored fill; bodies over the bound (or the server's max_payload) are announced only. */
  offer(urlKey: string, meta: EntryMeta, body: Buffer, warmId: string | undefined): void {
    const context = this.#context;
    const streamCreated = context?.store.invalidationsStreamCreated;
    if (context === undefined || streamCreated === undefined || this.#nc.isClosed()) return;
    const limit = Math.min(context.env.REPLICATION_MAX_BODY_BYTES, this.#nc.info === undefined ? Infinity : this.#nc.info.max_payload - ENVELOPE_BYTES);
    const shipped = body.length <= limit;
    const fill: ReplicatedFill = {
      gatewayId: this.#gatewayId,
      streamCreated,
      urlKey,
      meta: meta as unknown as ReplicatedFill['meta'],
      ...(shipped ? { body } : {}),
      bodyBytes: body.length,
      ...(warmId === undefined ? {} : { warmId }),
      sentAt: Date.now(),
    };
    try {
      this.#nc.publish(subjects.fillReplication, encodeReplicatedFill(fill));
      context.metrics.replicationOffered.inc({ kind: shipped ? 'shipped' : 'announced' });
    } catch (err) {
      // Too large for the server after all, or the connection closing: the peers fetch on demand.
      this.#logger.warn({ err, key: urlKey, bytes: body.length }, 'offering a fill to the peers failed');
    }
  }

  #receive(msg: Msg): void {
    const context = this.#context as GatewayContext;
    const decoded = decodeReplicatedFill(msg.data);
    if (!decoded.ok) {
      this.#logger.warn({ problem: decoded.error, bytes: msg.data.length }, 'malformed replicated fill skipped');
      return this.#count('malformed');
    }
    const fill = decoded.value;
    if (fill.gatewayId === this.#gatewayId) return;
    const result = storeReplica(context, fill);
    this.#count(result);
    // Whatever became of it, misses waiting for this fill go on: to the entry, or to the origin.
    const key = fill.meta.variantId === undefined ? fill.urlKey : variantKey(fill.urlKey, fill.meta.variantId);
    for (const waited of key === fill.urlKey ? [key] : [key, fill.urlKey]) this.#ended(waited, result === 'stored' || result === 'older' ? 'stored' : 'unstored');
    if (result !== 'stored') {
      this.#logger.debug({ key: fill.urlKey, from: fill.gatewayId, result }, 'replicated fill not stored');
      return;
    }
    context.metrics.replicationLagSeconds.observe(Math.max(0, Date.now() - fill.sentAt) / 1000);
    if (fill.warmId !== undefined) this.#warmStored?.(fill.warmId, fill.meta as unknown as EntryMeta);
  }

  #count(result: ReplicaResult): void {
    this.#context?.metrics.replicationReceived.inc({ result });
  }
}

/**
 * Stores a peer's fill unless this gateway must not serve it: another stream's sequence,
 * an invalidation newer than the fill already applied here, or a newer fill of its own.
 */
export function storeReplica(context: GatewayContext, fill: ReplicatedFill): ReplicaResult {
  if (fill.streamCreated !== context.store.invalidationsStreamCreated) return 'other-stream';
  if (fill.body === undefined) return 'announced';
  const meta = fill.meta as unknown as EntryMeta;
  if (isVariantMarker(meta)) return 'malformed';
  if (context.invalidations.map.verdict(meta, meta.fillSeq) !== Verdict.Valid) return 'invalidated';
  const key = isVariant(meta) ? variantKey(fill.urlKey, meta.variantId) : fill.urlKey;
  const current = context.store.headOf(key);
  if (current !== undefined && !isVariantMarker(current) && isNewerOrSame(current, meta)) return 'older';
  const body = Buffer.isBuffer(fill.body) ? fill.body : Buffer.from(fill.body.buffer, fill.body.byteOffset, fill.body.byteLength);
  if (!putEntry(context, fill.urlKey, meta, body)) return 'unwritable';
  context.fills.clearHitForMiss(key);
  return 'stored';
}

function isNewerOrSame(current: EntryMeta, incoming: EntryMeta): boolean {
  return current.fillSeq > incoming.fillSeq || (current.fillSeq === incoming.fillSeq && current.storedAt >= incoming.storedAt);
}
