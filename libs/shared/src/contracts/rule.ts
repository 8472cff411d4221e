/**
 * The TTL rule contract (DESIGN.md §4). The schema checks that every pattern compiles
 * and that the TTL is in the grammar, so an index built from valid rules cannot fail.
 */
import { z } from 'zod';
import { parseTtl, TTL_GRAMMAR } from '../rules/ttl.js';

export const MAX_PATH_PATTERNS = 50;
export const MAX_PATTERN_LENGTH = 1024;

/** Rule ids go into subjects unencoded, so they are restricted to subject-safe characters. */
export const ruleIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,128}$/, 'expected 1-128 characters from A-Z, a-z, 0-9, "_" and "-"');

const pathPatternSchema = z
  .string()
  .min(1, 'expected a non-empty regular expression')
  .max(MAX_PATTERN_LENGTH, `expected at most ${MAX_PATTERN_LENGTH} characters`)
  .superRefine((pattern, ctx) => {
    try {
      new RegExp(pattern, 'i');
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: `not a valid regular expression: ${(err as Error).message}` });
    }
  });

const VALUE_OPERATORS = new Set(['equals', 'not_equals', 'contains', 'not_contains']);

export const matchCriterionSchema = z
  .strictObject({
    additionalMatchType: z.enum(['header', 'query'], { error: 'expected "header" or "query"' }),
    additionalMatchOperator: z.enum(['equals', 'not_equals', 'contains', 'not_contains', 'exists', 'not_exists'], {
      error: 'expected one of equals, not_equals, contains, not_contains, exists, not_exists',
    }),
    additionalMatchKey: z.string().min(1, 'expected a non-empty header or query parameter name').max(256),
    additionalMatchValue: z.union([z.string(), z.array(z.string()).min(1).max(100)]).optional(),
  })
  .superRefine((criterion, ctx) => {
    if (VALUE_OPERATORS.has(criterion.additionalMatchOperator) && criterion.additionalMatchValue === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['additionalMatchValue'],
        message: `required for operator "${criterion.additionalMatchOperator}"`,
      });
    }
  });
export type MatchCriterion = z.infer<typeof matchCriterionSchema>;

export const ttlSchema = z.string().refine((ttl) => parseTtl(ttl) !== undefined, { error: `expected ${TTL_GRAMMAR}` });

export const ruleSchema = z.object({
  id: ruleIdSchema,
  description: z.string().max(1024).default(''),
  pathPatterns: z
    .array(pathPatternSchema)
    .min(1, 'expected at least one pattern')
    .max(MAX_PATH_PATTERNS, `expected at most ${MAX_PATH_PATTERNS} patterns`),
  ttl: ttlSchema,
  groupCode: z.string().trim().min(1).max(256).optional(),
  additionalMatchCriteria: z.array(matchCriterionSchema).max(20).optional(),
});
export type Rule = z.infer<typeof ruleSchema>;

/** A REST body: the rule without its id (the id comes from the path or is generated). */
export const ruleInputSchema = ruleSchema.omit({ id: true }).strict();
export type RuleInput = z.infer<typeof ruleInputSchema>;
/** `POST /rules` may name the id it wants. */
export const ruleCreateSchema = ruleInputSchema.extend({ id: ruleIdSchema.optional() }).strict();
