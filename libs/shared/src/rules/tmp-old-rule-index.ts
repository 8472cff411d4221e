/**
 * The in-memory rule index (DESIGN.md §4). Every (rule, pattern) pair is a candidate,
 * ranked once: explicit `priority` first, then specificity (characters the pattern fixes),
 * then conditional before unconditional, exact (`$`) before open-ended, then rule id and
 * pattern position, so ties are deterministic. The first candidate in rank order whose
 * pattern and conditions match wins; no match means not cacheable.
 *
 * Narrowing: candidates sit in a prefix tree under their literal prefixes (unanchored
 * patterns at the root). A path collects the buckets of every prefix that starts it,
 * which are exactly the candidates whose prefix starts the path, so narrowing never
 * changes the answer of a plain scan in rank order (`scan`).
 *
 * Memo: per normalized path, the candidates whose pattern matched, in rank order, up to
 * the first unconditional one. Pattern results depend on the path alone and conditions are
 * evaluated on every request, so an answer can never shadow a conditional rule. Bounded
 * (LRU); the index is immutable and a rule change builds a new one, which clears it.
 */
import type { Rule } from '../contracts/rule.js';
import { LruCache } from './lru-cache.js';
import { PathPattern } from './path-pattern.js';
import { PrefixTree } from './tmp-old-prefix-tree.js';
import { compileCriterion, criteriaHold, firstFailingCriterion, type CompiledCriterion, type MatchRequest } from './rule-matcher.js';
import { parseTtl, type TtlPolicy } from './ttl.js';

export interface RuleMatch {
  readonly rule: Rule;
  readonly ttl: TtlPolicy;
  /** The pattern that matched, for debug headers and `POST /rules/test`. */
  readonly pattern: string;
  /** The pattern's literal prefixes (its index buckets); undefined: unanchored, in every bucket. */
  readonly prefixes: readonly string[] | undefined;
}

interface Candidate extends RuleMatch {
  readonly compiled: PathPattern;
  readonly criteria: readonly CompiledCriterion[];
  readonly priority: number;
  /** Position in rank order: lower wins. */
  rank: number;
}

/** Why each candidate did or did not win, for `POST /rules/test`. */
export interface CandidateVerdict {
  ruleId: string;
  pattern: string;
  priority: number;
  specificity: number;
  verdict: 'matched' | 'outranked' | 'pattern did not match' | 'conditions not met';
  detail?: string;
}

/** Paths whose candidate list is remembered; beyond it the least recently used is evicted. */
export const MEMO_LIMIT = 10_000;

const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function compareCandidates(a: Candidate, b: Candidate): number {
  return (
    b.priority - a.priority ||
    b.compiled.fixedCharacters - a.compiled.fixedCharacters ||
    b.criteria.length - a.criteria.length ||
    Number(b.compiled.exact) - Number(a.compiled.exact) ||
    byCodeUnit(a.rule.id, b.rule.id) ||
    a.rule.pathPatterns.indexOf(a.pattern) - b.rule.pathPatterns.indexOf(b.pattern)
  );
}

const NO_CANDIDATES: readonly Candidate[] = [];

export class RuleIndex {
  /** Every candidate in rank order. */
  readonly #ranked: readonly Candidate[];
  /** Candidates by literal prefix; each bucket in rank order. */
  readonly #tree = new PrefixTree<Candidate>();
  readonly #memo = new LruCache<string, readonly Candidate[]>(MEMO_LIMIT);
  /** Compiled patterns by source, handed to the next index so a change recompiles only what changed. */
  readonly patterns: ReadonlyMap<string, PathPattern>;
  readonly size: number;
  // Scratch for the bucket merge: match() is synchronous, so one set per index suffices.
  readonly #lists: Candidate[][] = [];
  readonly #heads: number[] = [];

  /** Rules must have passed `ruleSchema` (their TTLs and patterns are valid). */
  constructor(rules: Iterable<Rule>, compiled: ReadonlyMap<string, PathPattern> = new Map()) {
    const patterns = new Map<string, PathPattern>();
    const candidates: Candidate[] = [];
    let size = 0;
    for (const rule of rules) {
      size++;
      const ttl = parseTtl(rule.ttl);
      if (ttl === undefined) throw new TypeError(`rule ${rule.id}: ttl ${rule.ttl} is not in the grammar`);
      const criteria = (rule.additionalMatchCriteria ?? []).map(compileCriterion);
      for (const pattern of new Set(rule.pathPatterns)) {
        let pathPattern = patterns.get(pattern) ?? compiled.get(pattern);
        pathPattern ??= new PathPattern(pattern);
        patterns.set(pattern, pathPattern);
        candidates.push({ rule, ttl, pattern, prefixes: pathPattern.prefixes, compiled: pathPattern, criteria, priority: rule.priority ?? 0, rank: 0 });
      }
    }
    candidates.sort(compareCandidates);
    candidates.forEach((candidate, rank) => {
      candidate.rank = rank;
      for (const prefix of candidate.compiled.prefixes ?? ['']) this.#tree.add(prefix, candidate);
    });
    this.#ranked = candidates;
    this.patterns = patterns;
    this.size = size;
  }

  /** The winning rule for a normalized path (DESIGN.md §4) and request, or undefined. */
  match(path: string, request: MatchRequest): RuleMatch | undefined {
    let matching = this.#memo.get(path);
    if (matching === undefined) {
      matching = this.#matchingCandidates(path);
      this.#memo.set(path, matching);
    }
    for (const candidate of matching) {
      if (candidate.criteria.length === 0 || criteriaHold(candidate.criteria, request)) return candidate;
    }
    return undefined;
  }

  /** The reference answer: every candidate in rank order, no narrowing, no memo. */
  scan(path: string, request: MatchRequest): RuleMatch | undefined {
    return this.#ranked.find((c) => c.compiled.test(path) && criteriaHold(c.criteria, request));
  }

  /** Every candidate in rank order with why it won or lost (a plain scan: for admins, not the hot path). */
  explain(path: string, request: MatchRequest): CandidateVerdict[] {
    let decided = false;
    return this.#ranked.map((c) => {
      const base = { ruleId: c.rule.id, pattern: c.pattern, priority: c.priority, specificity: c.compiled.fixedCharacters };
      if (!c.compiled.test(path)) return { ...base, verdict: 'pattern did not match' };
      const failing = firstFailingCriterion(c.criteria, request);
      if (failing !== undefined) return { ...base, verdict: 'conditions not met', detail: failing };
      if (decided) return { ...base, verdict: 'outranked' };
      decided = true;
      return { ...base, verdict: 'matched' };
    });
  }

  /** Candidates whose pattern matches, in rank order, through the first unconditional one. */
  #matchingCandidates(path: string): readonly Candidate[] {
    const lists = this.#lists;
    const heads = this.#heads;
    this.#tree.collect(path, lists);
    heads.length = lists.length;
    heads.fill(0);
    let matching: Candidate[] | undefined;
    let lastRank = -1;
    for (;;) {
      // k-way merge by rank; k is the number of non-empty buckets on the path (a few).
      let best: Candidate | undefined;
      let bestList = -1;
      for (let l = 0; l < lists.length; l++) {
        const head = (lists[l] as Candidate[])[heads[l] as number];
        if (head !== undefined && (best === undefined || head.rank < best.rank)) {
          best = head;
          bestList = l;
        }
      }
      if (best === undefined) break;
      heads[bestList] = (heads[bestList] as number) + 1;
      // A pattern with nested prefixes (`^/a(b)?`) sits in two buckets on one path.
      if (best.rank === lastRank) continue;
      lastRank = best.rank;
      if (!best.compiled.test(path)) continue;
      (matching ??= []).push(best);
      if (best.criteria.length === 0) break;
    }
    return matching ?? NO_CANDIDATES;
  }
}
