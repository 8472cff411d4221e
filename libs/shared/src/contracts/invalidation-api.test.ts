import { describe, expect, it } from 'vitest';
import { gatewayStatusSchema, warmReportSchema } from './invalidation-api.js';

const status = { gatewayId: 'g1', appliedSeq: 4, mode: 'normal', sentAt: '2026-12-02T13:00:00.000Z', lastSeenAt: '2026-12-02T13:00:00.012Z' };
const report = { id: 'w', state: 'done', total: 0, stored: 0, cached: 0, notCacheable: 0, failed: 0, pending: 0, startedAt: '2026-12-02T13:00:00.000Z', urls: [], offset: 0, next: null };

describe('invalidation REST answers', () => {
  it('accept ISO 8601 times', () => {
    expect(gatewayStatusSchema.safeParse(status).success).toBe(true);
    expect(warmReportSchema.safeParse(report).success).toBe(true);
  });

  it.each([
    ['a gateway seen at epoch milliseconds', gatewayStatusSchema, { ...status, lastSeenAt: 1_764_680_400_000 }],
    ['a gateway without lastSeenAt', gatewayStatusSchema, { ...status, lastSeenAt: undefined }],
    ['a warm started at epoch milliseconds', warmReportSchema, { ...report, startedAt: 1_764_680_400_000 }],
  ])('refuse %s', (_name, schema, answer) => {
    expect(schema.safeParse(answer).success).toBe(false);
  });
});
