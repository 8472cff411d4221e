/**
 * The dispatcher: the only place that orders the stages (DESIGN.md §6).
 *
 *   recv ──reserved──────────────────────────────────────────► pass ─► deliver
 *    │
 *   key ─► rule ──no rule / no_cache────────────────────────► pass ─► deliver
 *            │
 *          lookup ──method / bypass─────────────────────────► pass ─► deliver
 *            ├──hit──────────────────────────────────────────────────► deliver
 *            └──miss ─► fetch ─► store (stored | not stored) ────────► deliver
 */
import type { FastifyReply } from 'fastify';
import type { GatewayContext, Route } from '../context.js';
import { deliverEntry, deliverResponse } from './deliver.js';
import type { Exchange } from './exchange.js';
import { fetch } from './fetch.js';
import { key } from './key.js';
import { lookup } from './lookup.js';
import { assertNever } from './outcome.js';
import { recv } from './recv.js';
import { rule } from './rule.js';
import { store } from './store.js';

export async function handleRequest(exchange: Exchange, context: GatewayContext, reply: FastifyReply): Promise<FastifyReply> {
  const now = exchange.startedAt;
  if (recv(exchange, context).kind === 'pass') return pass(exchange, context, reply, now);
  const route = exchange.route as Route;
  key(exchange, route);
  if (rule(exchange, context).kind === 'pass') return pass(exchange, context, reply, now);
  const found = lookup(exchange, context, now);
  switch (found.kind) {
    case 'hit':
      return deliverEntry(exchange, context, reply, exchange.entry!, now);
    case 'pass':
    case 'bypass':
      return pass(exchange, context, reply, now);
    case 'miss': {
      const fetched = await fetch(exchange, context, route, 'fill');
      const stored = await store(exchange, context, route, fetched, now);
      return deliverResponse(exchange, context, reply, fetched.status, fetched.headers, stored.body, now);
    }
    default:
      return assertNever(found);
  }
}

async function pass(exchange: Exchange, context: GatewayContext, reply: FastifyReply, now: number): Promise<FastifyReply> {
  const fetched = await fetch(exchange, context, exchange.route as Route, 'pass');
  return deliverResponse(exchange, context, reply, fetched.status, fetched.headers, fetched.body, now);
}
