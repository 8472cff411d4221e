/**
 * Invalidation contract (README, Invalidation): the operator's command and the normalized event
 * the invalidation service publishes for gateways. Cross-field rules live in the schema.
 */
import { z } from 'zod';

export const cacheNameSchema = z.enum(['api', 'page']);
/** Which cache a route uses. */
export type CacheName = z.infer<typeof cacheNameSchema>;

export const cacheScopeSchema = z.enum(['api', 'page', 'all']);
/** The caches an invalidation reaches: one of them, or both. */
export type CacheScope = z.infer<typeof cacheScopeSchema>;

const nonBlank = (what: string) => z.string().trim().min(1, `expected a non-empty ${what}`).max(1024);

export const invalidationCommandSchema = z
  .strictObject({
    type: z.enum(['api', 'page', 'all', 'group', 'cacheTag', 'url'], {
      error: 'expected one of "api", "page", "all", "group", "cacheTag", "url"',
    }),
    groupCode: nonBlank('group code').optional(),
    cacheTag: nonBlank('cache tag').optional(),
    /** The public URL as a client requests it: a path with or without query, or an absolute http(s) URL. */
    url: z
      .string()
      .trim()
      .min(1, 'expected a URL')
      .max(8192)
      .refine((url) => url.startsWith('/') || (/^https?:\/\//i.test(url) && URL.canParse(url)), {
        error: 'expected a path like /products/1?x=2 or an absolute http(s) URL',
      })
      .optional(),
    mode: z.enum(['hard', 'soft', 'refresh'], { error: 'expected "hard", "soft" or "refresh"' }).optional(),
    runAsync: z.boolean().optional(),
  })
  .superRefine((cmd, ctx) => {
    if (cmd.type === 'cacheTag' && cmd.cacheTag === undefined) {
      ctx.addIssue({ code: 'custom', path: ['cacheTag'], message: 'required when type is "cacheTag"' });
    }
    if (cmd.type !== 'cacheTag' && cmd.cacheTag !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['cacheTag'], message: 'only allowed when type is "cacheTag"' });
    }
    if (cmd.type === 'group' && cmd.groupCode === undefined) {
      ctx.addIssue({ code: 'custom', path: ['groupCode'], message: 'required when type is "group"' });
    }
    if ((cmd.type === 'cacheTag' || cmd.type === 'url') && cmd.groupCode !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['groupCode'], message: `not allowed when type is "${cmd.type}"` });
    }
    if (cmd.type === 'url' && cmd.url === undefined) {
      ctx.addIssue({ code: 'custom', path: ['url'], message: 'required when type is "url"' });
    }
    if (cmd.type !== 'url' && cmd.url !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['url'], message: 'only allowed when type is "url"' });
    }
  });
export type InvalidationCommand = z.infer<typeof invalidationCommandSchema>;

export const invalidationKindSchema = z.enum(['scope', 'group', 'tag', 'url']);
/**
 * Separate namespaces: a whole cache, a rule group within a scope, an origin cache tag,
 * a URL (its normalized path, with its sorted query when the command named one).
 */
export type InvalidationKind = z.infer<typeof invalidationKindSchema>;

export const invalidationModeSchema = z.enum(['hard', 'soft', 'refresh']);
/**
 * `hard`: never served again; `soft`: served stale only within the rule's staleWhileRevalidate
 * while one refresh runs; `refresh` (active caching): served stale until the new answer, which
 * one gateway fetches for the fleet (`refreshBy`) and replicates to the others.
 */
export type InvalidationMode = z.infer<typeof invalidationModeSchema>;

export const invalidationEventSchema = z
  .strictObject({
    id: z.string().min(1),
    kind: invalidationKindSchema,
    cache: cacheScopeSchema,
    key: z.string().min(1).optional(),
    mode: invalidationModeSchema,
    /**
     * `refresh` only: the gateway chosen to fetch the entries again for the fleet (the others
     * serve them stale meanwhile, and refresh themselves only if no new answer reaches them).
     */
    refreshBy: z.string().min(1).max(256).optional(),
    /** Wall-clock time for humans; never used to decide validity (README, Invalidation). */
    issuedAt: z.iso.datetime(),
    source: z.enum(['nats', 'rest']),
  })
  .superRefine((event, ctx) => {
    if (event.kind !== 'scope' && event.key === undefined) {
      ctx.addIssue({ code: 'custom', path: ['key'], message: `required for kind "${event.kind}"` });
    }
  });
export type InvalidationEvent = z.infer<typeof invalidationEventSchema>;
