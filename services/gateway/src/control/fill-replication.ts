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
 */
import { decodeReplicatedFill, encodeReplicatedFill, subjects, type Logger, type ReplicatedFill } from '@cairn/shared';
import type { Msg, NatsConnection, Subscription } from 'nats';
import type { GatewayContext } from '../context.js';
import { putEntry } from '../flow/store.js';
import type { EntryMeta } from '../store/cache-entry.js';
import { isVariant, isVariantMarker, variantKey } from '../store/variants.js';
import { Verdict } from './invalidation-map.js';

/** Room left in a NATS message for the envelope and the metadata beside a body. */
const ENVELOPE_BYTES = 64 * 1024;

export type ReplicaResult = 'stored' | 'announced' | 'invalidated' | 'older' | 'other-stream' | 'unwritable' | 'malformed';

/** Tells the warming's service that this gateway stored a replicated warm fill. */
export type WarmStored = (warmId: string, meta: EntryMeta) => void;

export class FillReplication {
  readonly #nc: NatsConnection;
  readonly #gatewayId: string;
  readonly #logger: Logger;
  #context: GatewayContext | undefined;
  #subscription: Subscription | undefined;
  #warmStored: WarmStored | undefined;

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
        this.#receive(msg);
      },
    });
  }

  stop(): void {
    this.#subscription?.unsubscribe();
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
