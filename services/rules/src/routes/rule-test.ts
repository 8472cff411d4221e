/**
 * `POST /rules/test` (DESIGN.md §4): which rule a request would match and why, with the
 * normalized path, cache key and TTL a gateway would use. Runs the gateways' own code
 * (RuleIndex, normalizePath, buildCacheKey) on the rules as stored now.
 */
import {
  buildCacheKey,
  cacheKeyConfigSchema,
  compileCacheKeyConfig,
  normalizePath,
  RuleIndex,
  ruleTestRequestSchema,
  validateInput,
  type RuleMatch,
  type RuleTestResult,
} from '@cairn/shared';
import type { FastifyRequest } from 'fastify';
import type { RuleRepository } from '../rule-repository.js';

const PATH_ONLY = compileCacheKeyConfig(cacheKeyConfigSchema.parse({}));

/** The request target a gateway would see: origin-form path and query. */
function requestTarget(url: string): string {
  if (url.startsWith('/')) return url;
  const parsed = new URL(url);
  return `${parsed.pathname}${parsed.search}`;
}

function describeMatch({ rule, ttl, pattern }: RuleMatch): NonNullable<RuleTestResult['match']> {
  return {
    ruleId: rule.id,
    pattern,
    ttl: rule.ttl,
    ...(ttl.kind === 'duration' ? { ttlSeconds: ttl.seconds } : {}),
    cacheable: ttl.kind !== 'no_cache',
    priority: rule.priority ?? 0,
    ...(rule.groupCode === undefined ? {} : { groupCode: rule.groupCode }),
    ...(rule.staleWhileRevalidate === undefined ? {} : { staleWhileRevalidate: rule.staleWhileRevalidate }),
    ...(rule.staleIfError === undefined ? {} : { staleIfError: rule.staleIfError }),
  };
}

export function ruleTestHandler(repository: RuleRepository) {
  return async (request: FastifyRequest): Promise<RuleTestResult> => {
    const input = validateInput(ruleTestRequestSchema, request.body);
    const target = requestTarget(input.url);
    const headers = Object.fromEntries(Object.entries(input.headers).map(([name, value]) => [name.toLowerCase(), value]));
    const q = target.indexOf('?');
    const matchRequest = { headers, query: q === -1 ? '' : target.slice(q + 1) };
    const index = new RuleIndex((await repository.list()).map(({ rule }) => rule));
    const path = normalizePath(target);
    const match = index.match(path, matchRequest);
    const keyConfig = input.cacheKey === undefined ? PATH_ONLY : compileCacheKeyConfig(input.cacheKey);
    return {
      normalizedPath: path,
      cacheKey: buildCacheKey(input.cache, { url: target, headers }, keyConfig, path),
      match: match === undefined ? null : describeMatch(match),
      candidates: index.explain(path, matchRequest),
    };
  };
}
