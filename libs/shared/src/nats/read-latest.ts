/**
 * A one-shot read of the latest message on each subject of a stream (for listings and
 * exports); long-lived readers use `StreamFollower` instead.
 */
import { DeliverPolicy, type JsMsg, type NatsConnection } from 'nats';

export async function readLatestPerSubject(nc: NatsConnection, stream: string, filterSubject: string): Promise<JsMsg[]> {
  const jsm = await nc.jetstreamManager();
  const info = await jsm.streams.info(stream);
  if (info.state.messages === 0) return [];
  const consumer = await nc.jetstream().consumers.get(stream, {
    filterSubjects: filterSubject,
    deliver_policy: DeliverPolicy.LastPerSubject,
  });
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
