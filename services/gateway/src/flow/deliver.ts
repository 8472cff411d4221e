/**
 * deliver: writes the answer with `x-cairn-cache` (the recorded outcome), `Age` on hits,
 * and the debug headers of DESIGN.md §6 when asked for; counts the outcome and reason.
 */
import type { Readable } from 'node:stream';
import { headers as cairnHeaders } from '@cairn/shared';
import type { FastifyReply } from 'fastify';
import type { GatewayContext } from '../context.js';
import type { CacheEntry } from '../store/cache-entry.js';
import type { Exchange } from './exchange.js';

function debugHeaders(exchange: Exchange, reply: FastifyReply, now: number): void {
  reply.header(cairnHeaders.debugPath, exchange.path);
  reply.header(cairnHeaders.debugKey, exchange.key);
  const match = exchange.match;
  if (match !== undefined) {
    reply.header(cairnHeaders.debugRule, match.rule.description || match.rule.id);
    reply.header(cairnHeaders.debugRuleId, match.rule.id);
    reply.header(cairnHeaders.debugPolicy, match.ttl.kind);
    reply.header(cairnHeaders.debugTtl, match.rule.ttl);
  }
  const expiresAt = exchange.entry?.meta.expiresAt;
  if (expiresAt !== undefined && expiresAt !== 0) {
    reply.header(cairnHeaders.debugTtlRemaining, String(Math.max(0, Math.floor((expiresAt - now) / 1000))));
  }
}

function finish(exchange: Exchange, context: GatewayContext, reply: FastifyReply, now: number): void {
  reply.header(cairnHeaders.cache, exchange.outcome);
  if (exchange.headers[cairnHeaders.debug] === 'true') debugHeaders(exchange, reply, now);
  context.metrics.requests.inc({ outcome: exchange.outcome, reason: exchange.reason });
}

export function deliverEntry(exchange: Exchange, context: GatewayContext, reply: FastifyReply, entry: CacheEntry, now: number): FastifyReply {
  reply.headers(entry.meta.headers);
  reply.header('age', String(Math.max(0, Math.floor((now - entry.meta.storedAt) / 1000))));
  finish(exchange, context, reply, now);
  return reply.code(entry.meta.status).send(entry.body);
}

export function deliverResponse(
  exchange: Exchange,
  context: GatewayContext,
  reply: FastifyReply,
  status: number,
  headers: Record<string, string | string[]>,
  body: Buffer | Readable,
  now: number,
): FastifyReply {
  reply.headers(headers);
  if (Buffer.isBuffer(body)) reply.removeHeader('content-length');
  finish(exchange, context, reply, now);
  return reply.code(status).send(body);
}
