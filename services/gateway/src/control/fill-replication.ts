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
 * Fleet-wide coalescing: each fill this gateway leads is announced when it starts, and again
 * when it ends (its replica offered, or nothing to replicate). A peer that misses on an
 * announced key waits, at most FLEET_FILL_WAIT_MS, for the replicated fill rather than asking
 * the origin as well, as its own concurrent misses wait for its own fill. The end is
 * announced to every worker because the replica itself reaches only one worker of a node.
 * Two gateways that miss within the time an announcement takes to arrive both ask the
 * origin (measured in the README).
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
import { PeerFills, type PeerFillEnd } from './peer-fills.js';

/** Room left in a NATS message for the envelope and the metadata beside a body. */
const ENVELOPE_BYTES = 64 * 1024;

const intentPackr = new Packr({ useRecords: false });

export type ReplicaResult = 'stored' | 'announced' | 'invalidated' | 'older' | 'other-stream' | 'unwritable' | 'malformed';

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
  #peerFills: PeerFills | undefined;

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
    this.#peerFills = new PeerFills(context.env.FLEET_FILL_WAIT_MS);
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
    this.#peerFills?.endAll();
  }

  /** Whether a peer announced it is filling `key` (and the announcement is recent enough to wait for). */
  peerFilling(key: string, now: number): boolean {
    return this.#peerFills?.filling(key, now) === true;
  }

  /** Resolves when the peer's fill of `key` is stored here, ended unstored, or the wait's bound passed. */
  awaitPeer(key: string, now: number): Promise<PeerFillEnd> {
    return this.#peerFills?.wait(key, now) ?? Promise.resolve('timeout');
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
    if (state === 'started') this.#peerFills?.announce(key, Date.now());
    else this.#peerFills?.end(key, state);
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
      return this.#fillEnded(urlKey, meta, 'unstored');
    }
    this.#fillEnded(urlKey, meta, shipped ? 'stored' : 'unstored');
  }

  /**
   * Tells every worker of every peer that the fill of the key ended: the worker that stores
   * the replica wakes its own waiters, and this wakes the others (they read the entry once
   * their sibling committed it). Misses may wait on the variant's key or on the URL's.
   */
  #fillEnded(urlKey: string, meta: EntryMeta, state: 'stored' | 'unstored'): void {
    if (this.#intents === undefined) return;
    if (isVariant(meta)) this.#publishIntent({ gatewayId: this.#gatewayId, key: variantKey(urlKey, meta.variantId), state });
    this.#publishIntent({ gatewayId: this.#gatewayId, key: urlKey, state });
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
    for (const waited of key === fill.urlKey ? [key] : [key, fill.urlKey]) this.#peerFills?.end(waited, result === 'stored' || result === 'older' ? 'stored' : 'unstored');
    // A warming is confirmed by a gateway that holds the URL, whether or not it took this copy.
    if (fill.warmId !== undefined && (result === 'stored' || result === 'older')) this.#warmStored?.(fill.warmId, fill.meta as unknown as EntryMeta);
    if (result !== 'stored') {
      this.#logger.debug({ key: fill.urlKey, from: fill.gatewayId, result }, 'replicated fill not stored');
      return;
    }
    context.metrics.replicationLagSeconds.observe(Math.max(0, Date.now() - fill.sentAt) / 1000);
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
