/** A cache-key configuration (README, Gateway configuration): which headers, query params and cookies are keyed. */
import { z } from 'zod';

export const cacheKeyConfigSchema = z.strictObject({
  includeHeaders: z.array(z.string().min(1)).default([]),
  includeQueryParams: z.union([z.literal('ALL'), z.array(z.string().min(1))]).default([]),
  includeCookies: z.array(z.string().min(1)).default([]),
});
