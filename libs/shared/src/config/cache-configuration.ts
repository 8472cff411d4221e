/**
 * A gateway's `cacheConfiguration.<ENVIRONMENT>.json` in CONFIG_DIR (README, Gateway
 * configuration): its schema, the variables that locate it, and the loader. Shared so the
 * rules service explains requests with the key configuration the gateways use; what each
 * field does at request time lives in the gateway.
 */
import { join } from 'node:path';
import { z } from 'zod';
import { cacheKeyConfigSchema } from '../contracts/cache-key-config.js';
import type { CacheName } from '../contracts/invalidation.js';
import { loadConfigFile } from './config-file.js';

/** The variables that locate the file, with the gateway's defaults: `./cacheConfiguration.local.json`. */
export const cacheConfigurationEnvShape = {
  ENVIRONMENT: z.string().regex(/^[A-Za-z0-9_-]+$/, 'expected letters, digits, "_" or "-"').default('local'),
  CONFIG_DIR: z.string().default('.'),
};
export interface CacheConfigurationLocation {
  ENVIRONMENT: string;
  CONFIG_DIR: string;
}

const originUrlSchema = z.url({ protocol: /^https?$/, error: 'expected an absolute http(s) URL' });
const replacementSchema = z.strictObject({ search: z.string().min(1), replace: z.string() });
const optionalHeaderName = z
  .string()
  .regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]*$/, 'expected an HTTP header name')
  .optional()
  .transform((name) => (name ? name.toLowerCase() : undefined));

/**
 * Request fields a fill can never forward, whatever the config says: the pool sets `host`;
 * the gateway's origin token replaces `authorization`; cookies are keyed through
 * `includeCookies`; a fill asks for the whole, unencoded, unconditional answer itself;
 * framing and hop-by-hop fields describe the client's connection, not the request.
 */
const UNFORWARDABLE = new Set([
  'host', 'authorization', 'cookie', 'content-length', 'transfer-encoding', 'expect', 'accept-encoding',
  'range', 'if-range', 'if-match', 'if-none-match', 'if-modified-since', 'if-unmodified-since',
  'connection', 'keep-alive', 'proxy-authorization', 'proxy-connection', 'te', 'trailer', 'upgrade',
]);

/** `defaultForwardHeaders` / `apiForwardHeaders`: request fields a fill sends besides the keyed ones. */
const forwardHeadersSchema = z
  .array(
    z
      .string()
      .regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'expected an HTTP header name')
      .transform((name) => name.toLowerCase())
      .refine((name) => !UNFORWARDABLE.has(name), { error: (issue) => `${String(issue.input)} is never forwarded on a fill` }),
  )
  .transform((names) => [...new Set(names)]);

/** The file's schema; any invalid value names its field (README, Gateway configuration). */
export const cacheConfigurationSchema = z
  .strictObject({
    cacheTagsHeader: optionalHeaderName,
    /** Whether clients get the tag header; withheld by default, as CDNs withhold Surrogate-Key / Cache-Tag. */
    exposeCacheTagsHeader: z.boolean().default(false),
    // Matched against the lowercased normalized path and lowercase header names: lowercased
    // once here, not per request.
    apiPathPrefix: z.string().min(1).transform((prefix) => prefix.toLowerCase()).optional(),
    apiHeader: z.strictObject({ key: z.string().min(1).transform((key) => key.toLowerCase()), value: z.string() }).optional(),
    apiPathReplacement: z.union([replacementSchema, z.literal(false)]).optional(),
    apiOrigin: originUrlSchema.optional(),
    apiOriginAuthHeader: optionalHeaderName,
    apiCacheKey: cacheKeyConfigSchema.optional(),
    defaultOrigin: originUrlSchema,
    defaultOriginAuthHeader: optionalHeaderName,
    defaultPathReplacement: z.union([replacementSchema, z.literal(false)]).optional(),
    defaultCacheKey: cacheKeyConfigSchema,
    defaultForwardHeaders: forwardHeadersSchema.default([]),
    apiForwardHeaders: forwardHeadersSchema.optional(),
  })
  .superRefine((config, ctx) => {
    if (config.apiOrigin === undefined) {
      // API settings without an API origin would be silently ignored: say so instead.
      for (const field of ['apiPathPrefix', 'apiHeader', 'apiCacheKey', 'apiPathReplacement', 'apiOriginAuthHeader', 'apiForwardHeaders'] as const) {
        if (config[field] !== undefined) ctx.addIssue({ code: 'custom', path: ['apiOrigin'], message: `required when ${field} is set` });
      }
      return;
    }
    if (config.apiPathPrefix === undefined && config.apiHeader === undefined) {
      ctx.addIssue({ code: 'custom', path: ['apiPathPrefix'], message: 'apiPathPrefix or apiHeader is required when apiOrigin is set' });
    }
    if (config.apiCacheKey === undefined) {
      ctx.addIssue({ code: 'custom', path: ['apiCacheKey'], message: 'required when apiOrigin is set' });
    }
  });
/** A validated `cacheConfiguration.<env>.json`. */
export type CacheConfiguration = z.infer<typeof cacheConfigurationSchema>;

/** `<CONFIG_DIR>/cacheConfiguration.<ENVIRONMENT>.json`. */
export function cacheConfigurationPath(location: CacheConfigurationLocation): string {
  return join(location.CONFIG_DIR, `cacheConfiguration.${location.ENVIRONMENT}.json`);
}

/**
 * Reads and validates the file; throws a ConfigError (one line naming the path or the file
 * and field) when it is missing, unreadable or invalid.
 */
export function loadCacheConfiguration(location: CacheConfigurationLocation): CacheConfiguration {
  return loadConfigFile(cacheConfigurationPath(location), cacheConfigurationSchema);
}

/**
 * Whether a gateway routes a request to its API cache: by `apiHeader`, or by `apiPathPrefix`
 * on the normalized path (`/API/./x` is API traffic, `/api/../admin` is not). Only with an
 * `apiOrigin`; the schema refuses API routing settings without one.
 */
export function cacheOfRequest(config: CacheConfiguration, canonicalPath: string, headers: Readonly<Record<string, string | string[] | undefined>>): CacheName {
  if (config.apiOrigin === undefined) return 'page';
  const { apiHeader, apiPathPrefix } = config;
  if (apiHeader !== undefined && headers[apiHeader.key] === apiHeader.value) return 'api';
  return apiPathPrefix !== undefined && canonicalPath.startsWith(apiPathPrefix) ? 'api' : 'page';
}
