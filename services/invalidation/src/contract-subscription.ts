/**
 * A core NATS subscription whose messages must match a contract: decoded ones go to the
 * handler; the rest are logged and counted, never thrown (heartbeats and acks come from
 * other processes and must not crash this one). The handler is a boundary too.
 */
import { decodeMessage, type Logger } from '@cairn/shared';
import type { NatsConnection, Subscription } from 'nats';
import type { z } from 'zod';
import type { InvalidationMetrics } from './metrics.js';

export function subscribeToContract<S extends z.ZodType>(
  nc: NatsConnection,
  subject: string,
  schema: S,
  onValue: (value: z.infer<S>) => void,
  metrics: InvalidationMetrics,
  logger: Logger,
): Subscription {
  return nc.subscribe(subject, {
    callback: (err, msg) => {
      if (err !== null) {
        metrics.handlerErrors.inc({ subject });
        return logger.warn({ err, subject }, 'subscription failed');
      }
      const decoded = decodeMessage(schema, msg.data);
      if (!decoded.ok) {
        metrics.malformedMessages.inc({ subject });
        return logger.warn({ subject, issues: decoded.error }, 'malformed message');
      }
      try {
        onValue(decoded.value);
      } catch (handlerErr) {
        metrics.handlerErrors.inc({ subject });
        logger.error({ err: handlerErr, subject }, 'message handler failed');
      }
    },
  });
}
