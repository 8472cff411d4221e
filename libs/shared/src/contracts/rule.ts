/**
 * The TTL rule contract (README, Rules). The schema checks that every pattern compiles on
 * the linear-time engine and that the TTL is in the grammar, so an index built from valid
 * rules cannot fail; and it bounds what a rule may cost per request (issue 9 #8), so the
 * rules service refuses an expensive rule and gateways skip one written by hand.
 */
import { z } from 'zod';
import { PathPattern } from '../rules/path-pattern.js';
import { MAX_RULE_PATH_LENGTH } from '../rules/rule-index.js';
import { DURATION_GRAMMAR, parseDuration, parseTtl, TTL_GRAMMAR } from '../rules/ttl.js';

export const MAX_PATH_PATTERNS = 50;
export const MAX_PATTERN_LENGTH = 1024;

/**
 * Bound on a rule's automata, summed over its patterns (each is bounded by MAX_PROGRAM_SIZE).
 * One automaton instruction per path character is the most an uncached step costs, so a
 * rule's cost estimate is MAX_RULE_PATH_LENGTH × this sum automaton steps per request.
 */
export const MAX_RULE_AUTOMATON_SIZE = 1000;
/** The worst-case automaton steps one request may take on one rule (the cost estimate's bound). */
export const MAX_RULE_MATCH_STEPS = MAX_RULE_PATH_LENGTH * MAX_RULE_AUTOMATON_SIZE;

export const MIN_PRIORITY = -1000;
export const MAX_PRIORITY = 1000;

/** Words that name admin routes under `/rules/` and so cannot be rule ids. */
export const RESERVED_RULE_IDS: readonly string[] = ['export', 'import', 'test'];

/** Rule ids go into subjects unencoded, so they are restricted to subject-safe characters. */
export const ruleIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,128}$/, 'expected 1-128 characters from A-Z, a-z, 0-9, "_" and "-"')
  .refine((id) => !RESERVED_RULE_IDS.includes(id), { error: `reserved: ${RESERVED_RULE_IDS.join(', ')} name admin routes` });

const pathPatternSchema = z
  .string()
  .min(1, 'expected a non-empty regular expression')
  .max(MAX_PATTERN_LENGTH, `expected at most ${MAX_PATTERN_LENGTH} characters`);

/** Compiles each pattern once: its errors name its position, and their sizes add up to the rule's cost. */
function refinePatterns(patterns: readonly string[], ctx: z.RefinementCtx): void {
  let size = 0;
  for (const [i, pattern] of patterns.entries()) {
    try {
      size += new PathPattern(pattern).size;
    } catch (err) {
      ctx.addIssue({ code: 'custom', path: [i], message: `not a supported pattern: ${(err as Error).message}` });
    }
  }
  if (size > MAX_RULE_AUTOMATON_SIZE) {
    ctx.addIssue({
      code: 'custom',
      message: `too costly: the patterns' automata total ${size} steps, at most ${MAX_RULE_AUTOMATON_SIZE} are allowed (up to ${MAX_RULE_PATH_LENGTH} × ${MAX_RULE_AUTOMATON_SIZE} steps per request); reduce {n,m} counts or split the rule`,
    });
  }
}

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
const durationSchema = z.string().refine((d) => parseDuration(d) !== undefined, { error: `expected ${DURATION_GRAMMAR}` });

const ruleShape = z.object({
  id: ruleIdSchema,
  description: z.string().max(1024).default(''),
  pathPatterns: z
    .array(pathPatternSchema)
    .min(1, 'expected at least one pattern')
    .max(MAX_PATH_PATTERNS, `expected at most ${MAX_PATH_PATTERNS} patterns`)
    .superRefine(refinePatterns),
  ttl: ttlSchema,
  groupCode: z.string().trim().min(1).max(256).optional(),
  additionalMatchCriteria: z.array(matchCriterionSchema).max(20).optional(),
  /** Explicit rank: a higher priority wins over any specificity. Default 0. */
  priority: z.int().min(MIN_PRIORITY).max(MAX_PRIORITY).optional(),
  /** How long past its TTL an entry may be served while one refresh runs. */
  staleWhileRevalidate: durationSchema.optional(),
  /** How long past its TTL an entry may be served when the origin fails. */
  staleIfError: durationSchema.optional(),
  /**
   * Refresh-ahead: a hit on an entry that expires within this window starts one background
   * refresh for the fleet, so a popular entry is replaced before it expires.
   */
  refreshAhead: durationSchema.optional(),
});

function refineRule(rule: { ttl: string; staleWhileRevalidate?: string | undefined; staleIfError?: string | undefined; refreshAhead?: string | undefined }, ctx: z.RefinementCtx): void {
  if (rule.ttl === 'no_cache') {
    for (const field of ['staleWhileRevalidate', 'staleIfError', 'refreshAhead'] as const) {
      if (rule[field] !== undefined) ctx.addIssue({ code: 'custom', path: [field], message: 'not allowed with ttl no_cache (nothing is stored)' });
    }
  }
  if (rule.refreshAhead !== undefined && rule.ttl === 'never') {
    ctx.addIssue({ code: 'custom', path: ['refreshAhead'], message: 'not allowed with ttl never (the entry never expires)' });
  }
  // A window as long as the TTL would refresh on every hit, each new entry inside it again.
  const ttlSeconds = parseDuration(rule.ttl);
  const aheadSeconds = rule.refreshAhead === undefined ? undefined : parseDuration(rule.refreshAhead);
  if (ttlSeconds !== undefined && aheadSeconds !== undefined && aheadSeconds >= ttlSeconds) {
    ctx.addIssue({ code: 'custom', path: ['refreshAhead'], message: `expected a window shorter than the ttl (${rule.ttl})` });
  }
}

export const ruleSchema = ruleShape.superRefine(refineRule);
export type Rule = z.infer<typeof ruleSchema>;

/** A REST body: the rule without its id (the id comes from the path or is generated). */
export const ruleInputSchema = ruleShape.omit({ id: true }).strict().superRefine(refineRule);
export type RuleInput = z.infer<typeof ruleInputSchema>;
/** `POST /rules` may name the id it wants. */
export const ruleCreateSchema = ruleShape.extend({ id: ruleIdSchema.optional() }).strict().superRefine(refineRule);
