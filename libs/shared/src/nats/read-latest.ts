/**
 * One-shot reads of a stream (for listings, exports and histories); long-lived readers
 * use `StreamFollower` instead.
 */
import { DeliverPolicy, type JsMsg, type NatsConnection, type OrderedConsumerOptions } from 'nats';

async function readFiltered(nc: NatsConnection, stream: string, options: Partial<OrderedConsumerOptions>): Promise<JsMsg[]> {
  const jsm = await nc.jetstreamManager();
  const info = await jsm.streams.info(stream);
  if (info.state.messages === 0) return [];
  const consumer = await nc.jetstream().consumers.get(stream, options);
  const out: JsMsg[] = [];
  // Bounded: every fetch either delivers messages or ends the read; the message with
  // nothing pending behind it is the last one.
  for (;;) {
    const batch = await consumer.fetch({ max_messages: 1000, expires: 2000 });
    let received = 0;
    for await (const msg of batch) {
      out.push(msg);
      received++;
      if (msg.info.pending === 0) return out;
    }
    if (received === 0) return out;
  }
}

/** The latest message on each subject matching the filter. */
export function readLatestPerSubject(nc: NatsConnection, stream: string, filterSubject: string): Promise<JsMsg[]> {
  return readFiltered(nc, stream, { filterSubjects: filterSubject, deliver_policy: DeliverPolicy.LastPerSubject });
}

/**
 * Every retained message on one subject, oldest first. Stream info filtered by the
 * subject says whether it has any, so an empty read never waits for a fetch to expire.
 */
export async function readSubjectHistory(nc: NatsConnection, stream: string, subject: string): Promise<JsMsg[]> {
  const info = await (await nc.jetstreamManager()).streams.info(stream, { subjects_filter: subject });
  if ((info.state.subjects?.[subject] ?? 0) === 0) return [];
  // The ordered consumer always sends a start sequence, which DeliverPolicy.All refuses.
  return readFiltered(nc, stream, { filterSubjects: subject, deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: 1 });
}
