/**
 * Gateways as the invalidation service meets them on NATS, for the warming and refresh specs:
 * plain NATS clients of the test's real nats-server speaking the gateway side of the shared
 * contracts (libs/shared warm.ts, gateway-presence.ts), while the real gateway side is built
 * separately. Not a stand-in for NATS or the service: every message crosses the real server.
 *
 * Each peer heartbeats on the registry's subject as a gateway does. For a warm request
 * addressed to it (`fetchBy`), it asks the spec's `answer` what its origin fetch came to and
 * acknowledges with `fetched: true`; when it stored the URL, each other peer of the fleet
 * acknowledges `stored` with `fetched: false`, as gateways do on storing the replicated fill.
 * An `answer` of 'hold' keeps the request unanswered until the spec calls `release`.
 */
import { encodeMessage, GATEWAY_HEARTBEAT_MS, subjects, warmRequestSchema, type WarmAck, type WarmOutcome, type WarmRequest } from '@cairn/shared';
import type { NatsConnection, Subscription } from 'nats';

export interface FetchResult {
  outcome: WarmOutcome;
  status?: number;
  reason?: string;
}

export type WarmAnswer = (request: WarmRequest) => FetchResult | 'hold';

export interface GatewayFleet {
  readonly ids: readonly string[];
  /** Warm requests received, in arrival order, with the peer they were addressed to. */
  readonly received: WarmRequest[];
  /** Requests held and not yet released. */
  readonly held: WarmRequest[];
  /** Most requests held at once. */
  readonly maxHeld: number;
  /** Answers a held request (the oldest when none is named) as `result`. */
  release(result: FetchResult, request?: WarmRequest): void;
  /** Acknowledges as `gatewayId` directly (a late or extra acknowledgement). */
  ack(ack: WarmAck): void;
  /** Stops heartbeating and answering: the fleet goes silent. */
  stop(): void;
}

export const stored: WarmAnswer = () => ({ outcome: 'stored', status: 200 });

export interface FleetOptions {
  /** Gateways that heartbeat `mode: feed-lost`, as one without its invalidation feed does. */
  feedLost?: readonly string[];
}

export function startGatewayFleet(nc: NatsConnection, ids: readonly string[], answer: WarmAnswer = stored, options: FleetOptions = {}): GatewayFleet {
  const received: WarmRequest[] = [];
  const held: WarmRequest[] = [];
  let maxHeld = 0;
  const ack = (value: WarmAck) => nc.publish(subjects.warmAcks, encodeMessage(value));
  const answerAs = (request: WarmRequest, result: FetchResult) => {
    ack({ warmId: request.warmId, url: request.url, gatewayId: request.fetchBy, fetched: true, ...result });
    if (result.outcome !== 'stored') return;
    for (const peer of ids) if (peer !== request.fetchBy) ack({ warmId: request.warmId, url: request.url, gatewayId: peer, outcome: 'stored', fetched: false });
  };
  const beat = () => {
    for (const gatewayId of ids) {
      const mode = options.feedLost?.includes(gatewayId) === true ? 'feed-lost' : 'normal';
      nc.publish(subjects.gatewayHeartbeats, encodeMessage({ gatewayId, appliedSeq: 0, mode, sentAt: new Date().toISOString() }));
    }
  };
  beat();
  const heartbeats = setInterval(beat, GATEWAY_HEARTBEAT_MS);
  // One subscription for the fleet: every gateway hears every request, and only `fetchBy` acts on it.
  const subscription: Subscription = nc.subscribe(subjects.warmRequests, {
    callback: (_err, msg) => {
      const request = warmRequestSchema.parse(msg.json());
      if (!ids.includes(request.fetchBy)) return;
      received.push(request);
      const result = answer(request);
      if (result !== 'hold') return answerAs(request, result);
      held.push(request);
      maxHeld = Math.max(maxHeld, held.length);
    },
  });
  return {
    ids,
    received,
    held,
    get maxHeld() {
      return maxHeld;
    },
    release(result, request) {
      const index = request === undefined ? 0 : held.indexOf(request);
      const [released] = index === -1 ? [] : held.splice(index, 1);
      if (released === undefined) throw new Error('no such held warm request');
      answerAs(released, result);
    },
    ack,
    stop() {
      clearInterval(heartbeats);
      subscription.unsubscribe();
    },
  };
}
