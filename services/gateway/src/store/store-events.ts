/**
 * How the store's write health reaches operators: a warn once per transition to not
 * writable (with its counter, cairn_gateway_store_write_failures_total), an info line on
 * recovery, the cairn_gateway_store_writable gauge, and counters for every failed and
 * skipped write, and evictions by reason (the lowered bound after a full map is a warn).
 * Per-write failures after the first are counted, not logged.
 */
import type { Logger } from '@cairn/shared';
import type { GatewayMetrics } from '../metrics.js';
import type { StoreEvents } from './write-health.js';

export function storeEvents(metrics: GatewayMetrics, logger: Logger): StoreEvents {
  metrics.storeWritable.set(1);
  // Label children made once: an eviction on the fill path allocates no label object.
  const evicted = { bound: metrics.evictions.labels('bound'), 'map-full': metrics.evictions.labels('map-full') };
  evicted.bound.inc(0);
  evicted['map-full'].inc(0);
  return {
    evicted(reason, count) {
      evicted[reason].inc(count);
    },
    boundLowered(maxBytes) {
      logger.warn({ maxBytes }, 'store bound lowered');
    },
    writeFailed(op, err) {
      metrics.storeWriteFailures.inc({ op });
      logger.debug({ err, op }, 'store write failed');
    },
    writableChanged(writable, err) {
      metrics.storeWritable.set(writable ? 1 : 0);
      if (writable) logger.info('store writable again');
      else logger.warn({ err }, 'store not writable');
    },
    writeSkipped() {
      metrics.storeWritesSkipped.inc();
    },
  };
}
