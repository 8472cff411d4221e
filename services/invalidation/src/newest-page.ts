/**
 * One page of a stream, newest first, that reads only what the page needs (issue #9): an
 * ephemeral consumer's `num_pending` counts the matching messages from any start sequence,
 * so a bisection finds a start from which between `limit` and 2·`limit` of them remain
 * below the cursor, and only those are fetched. Memory and work per call are bounded by
 * the page size, whatever the stream holds. It does not decode: callers do.
 */
import { AckPolicy, DeliverPolicy, type JetStreamManager, type JsMsg, type NatsConnection } from 'nats';

const NANOS_PER_MS = 1_000_000;
/** An abandoned probe consumer (a crashed call) is removed by the server after this. */
const PROBE_INACTIVE_MS = 10_000;
/** Each probe halves the range; 64 covers any sequence space. */
const MAX_PROBES = 64;
const FETCH_EXPIRES_MS = 2000;

export interface PageRequest {
  stream: string;
  filterSubject: string;
  /** Only messages with a sequence below this (the previous page's cursor); undefined: from the newest. */
  before: number | undefined;
  limit: number;
}

interface Probe {
  name: string;
  startSeq: number;
  /** Matching messages from the probe's start sequence to the end of the stream. */
  pending: number;
}

async function probe(jsm: JetStreamManager, request: PageRequest, startSeq: number): Promise<Probe> {
  const info = await jsm.consumers.add(request.stream, {
    ack_policy: AckPolicy.None,
    deliver_policy: DeliverPolicy.StartSequence,
    opt_start_seq: startSeq,
    filter_subject: request.filterSubject,
    inactive_threshold: PROBE_INACTIVE_MS * NANOS_PER_MS,
    mem_storage: true,
    num_replicas: 1,
  });
  return { name: info.name, startSeq, pending: info.num_pending };
}

async function discard(jsm: JetStreamManager, stream: string, probes: Probe[]): Promise<void> {
  await Promise.all(probes.map((p) => jsm.consumers.delete(stream, p.name)));
}

/**
 * Finds a start sequence from which `count` matching messages lie below `end`, with
 * limit ≤ count ≤ 2·limit (or all of them when fewer). It gallops back from `end` (a dense
 * stream needs one probe), then bisects; counts fall by at most one per sequence, so the
 * bisection always lands in that band. Probes it no longer needs go to `spent`.
 */
async function findStart(
  jsm: JetStreamManager,
  request: PageRequest,
  range: { first: number; end: number; pendingAtEnd: number },
  spent: Probe[],
): Promise<{ probe: Probe; count: number }> {
  const { first, end, pendingAtEnd } = range;
  const countFrom = async (seq: number) => {
    const p = await probe(jsm, request, seq);
    return { probe: p, count: p.pending - pendingAtEnd };
  };
  let step = 2 * request.limit;
  let tooFew = end;
  let found = await countFrom(Math.max(first, end - step));
  for (let i = 0; i < MAX_PROBES && found.count < request.limit && found.probe.startSeq > first; i++) {
    spent.push(found.probe);
    tooFew = found.probe.startSeq;
    step *= 2;
    found = await countFrom(Math.max(first, end - step));
  }
  // Now found.count ≥ limit (or nothing older is left); from tooFew on there are fewer than limit.
  let low = found.probe.startSeq;
  let high = tooFew - 1;
  for (let i = 0; i < MAX_PROBES && found.count > 2 * request.limit && low < high; i++) {
    const mid = Math.floor((low + high + 1) / 2);
    const candidate = await countFrom(mid);
    if (candidate.count < request.limit) {
      spent.push(candidate.probe);
      high = mid - 1;
      continue;
    }
    spent.push(found.probe);
    found = candidate;
    low = mid;
  }
  return found;
}

/** What one bisection read: messages newest first, and the start sequence it read from. */
interface Segment {
  messages: JsMsg[];
  startSeq: number;
  firstSeq: number;
}

/** Up to `limit` matching messages below `before` that one bisection finds, newest first. */
async function readSegment(nc: NatsConnection, request: PageRequest): Promise<Segment> {
  const jsm = await nc.jetstreamManager();
  const { state } = await jsm.streams.info(request.stream);
  const end = Math.min(request.before ?? state.last_seq + 1, state.last_seq + 1);
  if (state.messages === 0 || end <= state.first_seq) return { messages: [], startSeq: state.first_seq, firstSeq: state.first_seq };
  const spent: Probe[] = [];
  try {
    const atEnd = end > state.last_seq ? undefined : await probe(jsm, request, end);
    if (atEnd !== undefined) spent.push(atEnd);
    const found = await findStart(jsm, request, { first: state.first_seq, end, pendingAtEnd: atEnd?.pending ?? 0 }, spent);
    spent.push(found.probe);
    if (found.count <= 0) return { messages: [], startSeq: found.probe.startSeq, firstSeq: state.first_seq };
    const consumer = await nc.jetstream().consumers.get(request.stream, found.probe.name);
    const batch = await consumer.fetch({ max_messages: found.count, expires: FETCH_EXPIRES_MS });
    const page: JsMsg[] = [];
    for await (const msg of batch) {
      if (msg.seq >= end) break;
      page.push(msg);
      if (page.length >= found.count) break;
    }
    return { messages: page.slice(-request.limit).reverse(), startSeq: found.probe.startSeq, firstSeq: state.first_seq };
  } finally {
    // Best effort: a probe that is already gone (reaped after inactive_threshold) must not fail the read.
    await discard(jsm, request.stream, spent).catch(() => undefined);
  }
}

/** Bisections one page may take when writes land meanwhile (each skews the counts). */
const MAX_SEGMENTS = 8;

/**
 * Up to `limit` matching messages below `before`, newest first, and the cursor for the next
 * page (undefined when nothing older is left). Messages written meanwhile raise the probes'
 * counts, so one bisection can land too late and find fewer than `limit`: the page then goes
 * on below where it started, until it is full or the stream's first message is reached.
 */
export async function readNewestPage(nc: NatsConnection, request: PageRequest): Promise<{ messages: JsMsg[]; next: number | undefined }> {
  const messages: JsMsg[] = [];
  let before = request.before;
  for (let i = 0; i < MAX_SEGMENTS; i++) {
    const segment = await readSegment(nc, { ...request, before, limit: request.limit - messages.length });
    messages.push(...segment.messages);
    if (messages.length >= request.limit) return { messages, next: messages.at(-1)?.seq };
    if (segment.startSeq <= segment.firstSeq) return { messages, next: undefined };
    before = segment.startSeq;
  }
  return { messages, next: before };
}
