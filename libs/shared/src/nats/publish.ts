/**
 * Durable publishing for writers: a `msgID` chosen once per logical write and retries on
 * timeouts, so a NATS restart neither loses nor doubles a write (JetStream de-duplicates
 * by msgID within the stream's duplicate window; README, the streams table).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ErrorCode, type JetStreamClient, type JetStreamPublishOptions, type NatsError, type PubAck } from 'nats';
import { CairnError } from '../errors.js';

const RETRYABLE = new Set<string>([ErrorCode.Timeout, ErrorCode.NoResponders, ErrorCode.Disconnect]);

export interface PublishDurablyOptions extends Partial<JetStreamPublishOptions> {
  msgID: string;
  attempts?: number;
}

export async function publishDurably(
  js: JetStreamClient,
  subject: string,
  data: Uint8Array,
  options: PublishDurablyOptions,
): Promise<PubAck> {
  const { attempts = 5, ...publishOptions } = options;
  for (let attempt = 1; ; attempt++) {
    try {
      return await js.publish(subject, data, { timeout: 2000, ...publishOptions });
    } catch (err) {
      const retryable = RETRYABLE.has((err as NatsError).code);
      if (!retryable) throw err;
      if (attempt >= attempts) {
        throw new CairnError('CAIRN_PUBLISH_FAILED', `publish to ${subject} failed after ${attempt} attempts`, {
          status: 503,
          cause: err,
          details: { subject, msgID: options.msgID },
        });
      }
      await sleep(100 * 2 ** attempt);
    }
  }
}
