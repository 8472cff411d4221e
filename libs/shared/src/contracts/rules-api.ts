/**
 * The rules service's REST bodies beyond the rule itself (README, Rules): revisions,
 * history, the rule test, bulk export/import and errors. The OpenAPI document at
 * `/docs/json` is generated from these schemas, so the documentation cannot drift.
 */
import { z } from 'zod';
import { cacheKeyConfigSchema } from './cache-key-config.js';
import { ruleSchema } from './rule.js';

export const revisionSchema = z.int().positive().describe('The JetStream sequence of the rule\'s latest event; sent as ETag, expected in If-Match.');

export const storedRuleSchema = ruleSchema.and(z.object({ revision: revisionSchema }));

export const errorResponseSchema = z.object({
  error: z.string().describe('Stable error code, e.g. CAIRN_VALIDATION'),
  message: z.string(),
  field: z.string().optional().describe('The offending field, e.g. pathPatterns[1]'),
});

export const ruleHistorySchema = z.object({
  id: z.string(),
  revisions: z
    .array(
      z.object({
        revision: revisionSchema,
        op: z.enum(['upsert', 'delete']),
        writtenAt: z.iso.datetime().describe('ISO 8601 time the event was stored'),
        author: z.string().optional().describe('Who wrote it, when access control was on'),
        rule: ruleSchema.optional().describe('The rule as written (absent for a delete)'),
      }),
    )
    .describe('Newest first; the stream keeps the last 10 events per rule'),
});

export const ruleTestRequestSchema = z.strictObject({
  url: z
    .string()
    .min(1)
    .max(8192)
    .refine((url) => url.startsWith('/') || /^https?:\/\//i.test(url), { error: 'expected a path like /products/1?x=2 or an absolute http(s) URL' }),
  headers: z.record(z.string(), z.union([z.string(), z.array(z.string())])).default({}),
  cache: z
    .enum(['page', 'api'])
    .optional()
    .describe("Which cache the key is built for; default: the one the gateways' cache configuration routes the request to (apiHeader, apiPathPrefix), else page"),
  cacheKey: cacheKeyConfigSchema
    .optional()
    .describe("A key configuration to use instead of the gateways' (cacheConfiguration.<env>.json); without either, the key is the path alone"),
});
export type RuleTestRequest = z.infer<typeof ruleTestRequestSchema>;

/**
 * Where `POST /rules/test` took the key configuration from: the call's `cacheKey`, the
 * gateways' cacheConfiguration.<env>.json, or neither (the path alone).
 */
export const cacheKeySourceSchema = z.enum(['request', 'cacheConfiguration', 'path-only']);
export type CacheKeySource = z.infer<typeof cacheKeySourceSchema>;

export const ruleTestResultSchema = z.object({
  normalizedPath: z.string(),
  cache: z.enum(['page', 'api']).describe('The cache the key was built for'),
  cacheKey: z.string(),
  cacheKeyFrom: cacheKeySourceSchema.describe("request: the call's cacheKey; cacheConfiguration: the gateways' file; path-only: neither was there"),
  match: z
    .object({
      ruleId: z.string(),
      pattern: z.string(),
      ttl: z.string(),
      ttlSeconds: z.int().optional().describe('For a duration TTL'),
      cacheable: z.boolean().describe('false for a no_cache rule'),
      priority: z.int(),
      groupCode: z.string().optional(),
      staleWhileRevalidate: z.string().optional(),
      staleIfError: z.string().optional(),
      refreshAhead: z.string().optional().describe('A hit on an entry expiring within this window refreshes it in the background, once for the fleet'),
    })
    .nullable()
    .describe('null: no rule matches, so the response is not cached'),
  candidates: z
    .array(
      z.object({
        ruleId: z.string(),
        pattern: z.string(),
        priority: z.int(),
        specificity: z.int(),
        verdict: z.enum(['matched', 'outranked', 'pattern did not match', 'conditions not met']),
        detail: z.string().optional(),
      }),
    )
    .describe('The rule patterns that could apply to the path (unanchored ones, and those whose literal prefix starts it), in rank order, with why each won or lost; at most 100'),
});
export type RuleTestResult = z.infer<typeof ruleTestResultSchema>;

const exportedAtSchema = z.iso.datetime().describe('ISO 8601 time the export was taken');

export const rulesExportSchema = z.object({
  exportedAt: exportedAtSchema,
  rules: z.array(ruleSchema),
});

/** An export imports as is: its `exportedAt` is accepted and changes nothing. */
export const rulesImportRequestSchema = z.strictObject({
  exportedAt: exportedAtSchema.optional(),
  rules: z.array(z.unknown()).max(10_000).describe('Rules as exported; each is validated on its own'),
});

export const importStatusSchema = z.enum(['created', 'updated', 'unchanged', 'invalid', 'conflict']);
export const rulesImportResultSchema = z.object({
  results: z.array(
    z.object({
      index: z.int(),
      id: z.string().optional(),
      status: importStatusSchema,
      revision: revisionSchema.optional(),
      field: z.string().optional(),
      message: z.string().optional(),
    }),
  ),
  summary: z.record(importStatusSchema, z.int()),
});
export type RulesImportResult = z.infer<typeof rulesImportResultSchema>;
