/**
 * Bulk `GET /rules/export` and `POST /rules/import`. An export re-imports as is; an
 * import validates each rule on its own, writes only what differs from the stored rule
 * (so a re-run changes nothing) and reports a result per rule.
 */
import {
  principalOf,
  AlreadyExistsError,
  describeFirstIssue,
  RevisionConflictError,
  ruleSchema,
  rulesImportRequestSchema,
  validateInput,
  type Rule,
  type RulesImportResult,
} from '@cairn/shared';
import type { FastifyRequest } from 'fastify';
import type { RuleRepository } from '../rule-repository.js';

type ImportEntry = RulesImportResult['results'][number];

/** JSON with sorted keys, so two equal rules compare equal whatever their key order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))) : v,
  );
}

function idOf(raw: unknown): string | undefined {
  const id = (raw as { id?: unknown } | null)?.id;
  return typeof id === 'string' ? id : undefined;
}

export function bulkHandlers(repository: RuleRepository) {
  return {
    async export() {
      const rules = await repository.list();
      return { exportedAt: new Date().toISOString(), rules: rules.map(({ rule }) => rule) };
    },

    async import(request: FastifyRequest): Promise<RulesImportResult> {
      const { rules } = validateInput(rulesImportRequestSchema, request.body);
      const current = new Map((await repository.list()).map((stored) => [stored.rule.id, stored]));
      const results: ImportEntry[] = [];
      for (const [index, raw] of rules.entries()) {
        const parsed = ruleSchema.safeParse(raw);
        if (!parsed.success) {
          const { field, message } = describeFirstIssue(parsed.error);
          const id = idOf(raw);
          results.push({ index, ...(id === undefined ? {} : { id }), status: 'invalid', field, message: field ? `${field}: ${message}` : message });
          continue;
        }
        results.push(await importOne(repository, current, parsed.data, index, principalOf(request)?.username));
      }
      const summary = { created: 0, updated: 0, unchanged: 0, invalid: 0, conflict: 0 };
      for (const result of results) summary[result.status]++;
      return { results, summary };
    },
  };
}

async function importOne(repository: RuleRepository, current: Map<string, { rule: Rule; revision: number }>, rule: Rule, index: number, author: string | undefined): Promise<ImportEntry> {
  const existing = current.get(rule.id);
  if (existing !== undefined && canonical(existing.rule) === canonical(rule)) {
    return { index, id: rule.id, status: 'unchanged', revision: existing.revision };
  }
  try {
    // Written against the revision read at the start: a concurrent edit is reported, not overwritten.
    const revision = existing === undefined ? await repository.create(rule, author) : await repository.upsert(rule, existing.revision, author);
    current.set(rule.id, { rule, revision });
    return { index, id: rule.id, status: existing === undefined ? 'created' : 'updated', revision };
  } catch (err) {
    if (err instanceof RevisionConflictError || err instanceof AlreadyExistsError) return { index, id: rule.id, status: 'conflict', message: err.message };
    throw err;
  }
}
