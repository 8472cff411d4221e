/**
 * What both gateway feeds do with a message that breaks its contract: log it at warn,
 * count it, and skip it, so one bad event never stops a feed (STYLE: message-codec).
 */
import { decodeMessage, type Logger } from '@cairn/shared';
import type { JsMsg } from 'nats';
import type { z } from 'zod';
import type { GatewayMetrics } from '../metrics.js';

export interface FeedSink {
  stream: string;
  logger: Logger;
  metrics: GatewayMetrics;
}

export function skipMalformed(sink: FeedSink, msg: JsMsg, issues: string): undefined {
  sink.logger.warn({ subject: msg.subject, seq: msg.seq, issues }, 'malformed message');
  sink.metrics.malformedMessages.inc({ stream: sink.stream });
  return undefined;
}

/** The decoded event, or undefined after logging and counting a malformed one. */
export function decodeFeedMessage<S extends z.ZodType>(sink: FeedSink, schema: S, msg: JsMsg): z.infer<S> | undefined {
  const decoded = decodeMessage(schema, msg.data);
  return decoded.ok ? decoded.value : skipMalformed(sink, msg, decoded.error);
}
