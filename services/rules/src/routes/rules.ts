/**
 * `/rules` REST routes (README, Rules): list, get, create, upsert, delete, history. Bodies are
 * validated with the contract schemas; revisions travel as `ETag` / `If-Match`.
 */
import { randomUUID } from 'node:crypto';
import { principalOf, ruleCreateSchema, ruleIdSchema, validateInput, ValidationError } from '@cairn/shared';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RuleRepository } from '../rule-repository.js';

type IdRequest = FastifyRequest<{ Params: { id: string } }>;

const etag = (revision: number): string => `"${revision}"`;

/** `If-Match: "12"` → 12; absent → undefined. A weak or malformed value is a 400. */
function expectedRevision(request: FastifyRequest): number | undefined {
  const value = request.headers['if-match'];
  if (value === undefined) return undefined;
  const match = /^"?(\d{1,15})"?$/.exec(value.trim());
  if (match === null) throw new ValidationError('If-Match', 'If-Match: expected a revision as returned in ETag, like "12"');
  return Number(match[1]);
}

const ruleId = (request: IdRequest): string => validateInput(ruleIdSchema, request.params.id, 'id');

export function ruleHandlers(repository: RuleRepository) {
  return {
    async list() {
      const rules = await repository.list();
      return rules.map(({ rule, revision }) => ({ ...rule, revision }));
    },

    async get(request: IdRequest, reply: FastifyReply) {
      const { rule, revision } = await repository.get(ruleId(request));
      return reply.header('etag', etag(revision)).send(rule);
    },

    async create(request: FastifyRequest, reply: FastifyReply) {
      const input = validateInput(ruleCreateSchema, request.body);
      const rule = { ...input, id: input.id ?? randomUUID() };
      const revision = await repository.create(rule, principalOf(request)?.username);
      return reply
        .code(201)
        .header('etag', etag(revision))
        .header('location', `/rules/${rule.id}`)
        .send({ ...rule, revision });
    },

    async upsert(request: IdRequest, reply: FastifyReply) {
      const id = ruleId(request);
      // Clients that send the whole rule back may include its id; it must be this one.
      const input = validateInput(ruleCreateSchema, request.body);
      if (input.id !== undefined && input.id !== id) throw new ValidationError('id', 'id: must match the id in the path');
      const revision = await repository.upsert({ ...input, id }, expectedRevision(request), principalOf(request)?.username);
      return reply.code(204).header('etag', etag(revision)).send();
    },

    async history(request: IdRequest) {
      const id = ruleId(request);
      return { id, revisions: await repository.history(id) };
    },

    async delete(request: IdRequest, reply: FastifyReply) {
      await repository.delete(ruleId(request), expectedRevision(request), principalOf(request)?.username);
      return reply.code(204).send();
    },
  };
}
export type RuleHandlers = ReturnType<typeof ruleHandlers>;

export function registerRuleRoutes(app: FastifyInstance, handlers: RuleHandlers): void {
  app.get('/rules', handlers.list);
  app.get('/rules/:id', handlers.get);
  app.get('/rules/:id/history', handlers.history);
  app.post('/rules', handlers.create);
  app.put('/rules/:id', handlers.upsert);
  app.delete('/rules/:id', handlers.delete);
}
