/**
 * The in-memory rule index: every (rule, pattern) pair ordered by descending
 * specificity, then rule id; the first pair whose pattern and conditions match wins.
 * Immutable: a rule change builds a new index. Candidate narrowing by literal prefix
 * arrives with the complete rule engine (issue 3); a plain scan is its reference answer.
 */
import type { Rule } from '../contracts/rule.js';
import { compileCriterion, criteriaHold, type CompiledCriterion, type MatchRequest } from './rule-matcher.js';
import { specificity } from './specificity.js';
import { parseTtl, type TtlPolicy } from './ttl.js';

export interface RuleMatch {
  readonly rule: Rule;
  readonly ttl: TtlPolicy;
  /** The pattern that matched, for debug headers and `POST /rules/test`. */
  readonly pattern: string;
}

interface Candidate extends RuleMatch {
  readonly regex: RegExp;
  readonly criteria: readonly CompiledCriterion[];
  readonly specificity: number;
}

/** Bound on memoized paths; a full memo is cleared, which costs one re-scan per path. */
export const MEMO_LIMIT = 5000;

export class RuleIndex {
  readonly #candidates: readonly Candidate[];
  readonly #memo = new Map<string, Candidate | null>();
  readonly size: number;

  constructor(rules: Iterable<Rule>) {
    const candidates: Candidate[] = [];
    let size = 0;
    for (const rule of rules) {
      size++;
      const ttl = parseTtl(rule.ttl);
      // Rules reach the index only after schema validation, which rejects unknown TTLs.
      if (ttl === undefined) throw new TypeError(`rule ${rule.id}: ttl ${rule.ttl} is not in the grammar`);
      const criteria = (rule.additionalMatchCriteria ?? []).map(compileCriterion);
      for (const pattern of rule.pathPatterns) {
        candidates.push({
          rule,
          ttl,
          pattern,
          regex: new RegExp(pattern, 'i'),
          criteria,
          specificity: specificity(pattern, criteria.length > 0),
        });
      }
    }
    candidates.sort((a, b) => b.specificity - a.specificity || (a.rule.id < b.rule.id ? -1 : a.rule.id > b.rule.id ? 1 : 0));
    this.#candidates = candidates;
    this.size = size;
  }

  /** The winning rule for a normalized path and request, or undefined (not cacheable). */
  match(path: string, request: MatchRequest): RuleMatch | undefined {
    const memoized = this.#memo.get(path);
    if (memoized !== undefined) return memoized ?? undefined;
    // The answer may be memoized by path only when no conditional rule's pattern matched
    // before it: otherwise another request on the same path could get a different answer.
    let dependsOnRequest = false;
    for (const candidate of this.#candidates) {
      if (!candidate.regex.test(path)) continue;
      if (candidate.criteria.length === 0) {
        if (!dependsOnRequest) this.#remember(path, candidate);
        return candidate;
      }
      if (criteriaHold(candidate.criteria, request)) return candidate;
      dependsOnRequest = true;
    }
    if (!dependsOnRequest) this.#remember(path, null);
    return undefined;
  }

  #remember(path: string, candidate: Candidate | null): void {
    if (this.#memo.size >= MEMO_LIMIT) this.#memo.clear();
    this.#memo.set(path, candidate);
  }
}
