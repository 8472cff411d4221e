/**
 * The in-memory rule index (README, Rules). Every (rule, pattern) pair is a candidate,
 * ranked: explicit `priority` first, then specificity (characters the pattern fixes),
 * then conditional before unconditional, exact (`$`) before open-ended, then rule id and
 * pattern position, so ties are deterministic. The first candidate in rank order whose
 * pattern and conditions match wins; no match means not cacheable.
 *
 * Narrowing: candidates sit in a prefix tree under their literal prefixes (unanchored
 * patterns at the root), each bucket kept in rank order. A path collects the buckets of
 * every prefix that starts it, which are exactly the candidates whose prefix starts the
 * path, so narrowing never changes the answer of a plain scan in rank order (`scan`).
 *
 * Changes are incremental (issue 9): `upsert`/`remove` insert or take out one rule's
 * candidates in their buckets (a binary search each) and clear the memo, so a change costs
 * about as much at 100,000 rules as at 10; nothing is rebuilt.
 *
 * Memo: per normalized path, the candidates whose pattern matched, in rank order, up to
 * the first unconditional one. Pattern results depend on the path alone and conditions are
 * evaluated on every request, so an answer can never shadow a conditional rule. Bounded
 * (LRU) and cleared by every change.
 *
 * Work per request is bounded (issue 9 #8): paths longer than MAX_RULE_PATH_LENGTH match
 * no rule, and the rule schema bounds what each accepted pattern may cost per character.
 */
import type { Rule } from '../contracts/rule.js';
import { LruCache } from './lru-cache.js';
import { PathPattern } from './path-pattern.js';
import { PrefixTree } from './prefix-tree.js';
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
  /** Everything rank compares before the rule id, packed in one number: higher wins. */
  readonly weight: number;
  /** The pattern's position in its rule, the last tie-breaker. */
  readonly position: number;
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

/**
 * The longest normalized path rules look at (issue 9 #8): a longer path matches no rule,
 * so it is passed to the origin uncached. 8 KiB is nginx's default request-line buffer
 * (`large_client_header_buffers 4 8k`) and the low end of what CDNs accept in a URL.
 */
export const MAX_RULE_PATH_LENGTH = 8192;

const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The rank key before ties: priority, then fixed characters, then conditions, then exactness. */
function weightOf(priority: number, compiled: PathPattern, criteria: number): number {
  // Each field is bounded by the schema (priority ±1000, fixed characters below the
  // program size, at most 20 criteria), so the packing is exact.
  const fixed = Math.min(compiled.fixedCharacters, 0xffff);
  return (((priority + 1000) * 0x10000 + fixed) * 32 + criteria) * 2 + Number(compiled.exact);
}

/** Negative when `a` ranks before (wins over) `b`. */
function compareCandidates(a: Candidate, b: Candidate): number {
  return b.weight - a.weight || byCodeUnit(a.rule.id, b.rule.id) || a.position - b.position;
}

const NO_CANDIDATES: readonly Candidate[] = [];

export class RuleIndex {
  /** Each rule's candidates, by rule id. */
  readonly #byRule = new Map<string, Candidate[]>();
  /** Candidates by literal prefix; each bucket in rank order. */
  readonly #tree = new PrefixTree<Candidate>();
  readonly #memo = new LruCache<string, readonly Candidate[]>(MEMO_LIMIT);
  /** Compiled patterns by source, shared by the rules that use them. */
  readonly #patterns = new Map<string, { pattern: PathPattern; uses: number }>();
  /** Every candidate in rank order, for `scan` and `explain`; sorted again after a change. */
  #ranked: Candidate[] | undefined;
  // Scratch for the bucket merge: match() is synchronous, so one set per index suffices.
  readonly #lists: Candidate[][] = [];
  readonly #heads: number[] = [];

  /**
   * Rules must have passed `ruleSchema` (their TTLs and patterns are valid). `compiled`
   * offers patterns compiled before (by source), so they are not compiled again.
   */
  constructor(rules: Iterable<Rule> = [], compiled: ReadonlyMap<string, PathPattern> = new Map()) {
    for (const rule of rules) {
      // A rule listed twice: the later one wins, as upserts would.
      const previous = this.#byRule.get(rule.id);
      for (const candidate of previous ?? []) this.#release(candidate.pattern);
      this.#byRule.set(rule.id, this.#candidates(rule, compiled));
    }
    // One sort, then appends: every candidate lands at its bucket's end.
    for (const candidate of this.#rankedCandidates()) this.#place(candidate);
  }

  get size(): number {
    return this.#byRule.size;
  }

  /** Compiled patterns by source, for another index to reuse. */
  get patterns(): ReadonlyMap<string, PathPattern> {
    const out = new Map<string, PathPattern>();
    for (const [source, { pattern }] of this.#patterns) out.set(source, pattern);
    return out;
  }

  /** Adds a rule or replaces the rule with its id (it must have passed `ruleSchema`). */
  upsert(rule: Rule): void {
    const previous = this.#byRule.get(rule.id);
    // Compiled first, so a replaced rule's patterns are reused rather than recompiled.
    const candidates = this.#candidates(rule, new Map());
    if (previous !== undefined) this.#removeCandidates(previous);
    this.#byRule.set(rule.id, candidates);
    for (const candidate of candidates) this.#place(candidate);
    this.#changed();
  }

  /** Removes the rule with this id; false when there was none. */
  remove(id: string): boolean {
    const previous = this.#byRule.get(id);
    if (previous === undefined) return false;
    this.#removeCandidates(previous);
    this.#byRule.delete(id);
    this.#changed();
    return true;
  }

  /** The winning rule for a normalized path (README, Rules) and request, or undefined. */
  match(path: string, request: MatchRequest): RuleMatch | undefined {
    if (path.length > MAX_RULE_PATH_LENGTH) return undefined;
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
    if (path.length > MAX_RULE_PATH_LENGTH) return undefined;
    return this.#rankedCandidates().find((c) => c.compiled.test(path) && criteriaHold(c.criteria, request));
  }

  /** Every (rule, pattern) candidate in rank order, as the plain scan tries them. */
  ranked(): Array<{ ruleId: string; pattern: string }> {
    return this.#rankedCandidates().map((c) => ({ ruleId: c.rule.id, pattern: c.pattern }));
  }

  /**
   * Candidates in rank order with why each won or lost (for admins, not the hot path):
   * the candidates whose bucket the path reaches (the others cannot match it), up to `limit`.
   */
  explain(path: string, request: MatchRequest, limit = Infinity): CandidateVerdict[] {
    if (path.length > MAX_RULE_PATH_LENGTH) return [];
    let decided = false;
    const verdicts: CandidateVerdict[] = [];
    for (const c of this.#reachable(path)) {
      if (verdicts.length >= limit) break;
      const base = { ruleId: c.rule.id, pattern: c.pattern, priority: c.priority, specificity: c.compiled.fixedCharacters };
      if (!c.compiled.test(path)) verdicts.push({ ...base, verdict: 'pattern did not match' });
      else {
        const failing = firstFailingCriterion(c.criteria, request);
        if (failing !== undefined) verdicts.push({ ...base, verdict: 'conditions not met', detail: failing });
        else verdicts.push({ ...base, verdict: decided ? 'outranked' : 'matched' });
        decided ||= failing === undefined;
      }
    }
    return verdicts;
  }

  #candidates(rule: Rule, compiled: ReadonlyMap<string, PathPattern>): Candidate[] {
    const ttl = parseTtl(rule.ttl);
    if (ttl === undefined) throw new TypeError(`rule ${rule.id}: ttl ${rule.ttl} is not in the grammar`);
    const criteria = (rule.additionalMatchCriteria ?? []).map(compileCriterion);
    const priority = rule.priority ?? 0;
    const candidates: Candidate[] = [];
    for (const [position, pattern] of rule.pathPatterns.entries()) {
      // A repeated pattern adds nothing: its first position ranks first.
      if (rule.pathPatterns.indexOf(pattern) !== position) continue;
      const pathPattern = this.#use(pattern, compiled);
      const weight = weightOf(priority, pathPattern, criteria.length);
      candidates.push({ rule, ttl, pattern, prefixes: pathPattern.prefixes, compiled: pathPattern, criteria, priority, weight, position });
    }
    return candidates;
  }

  #use(source: string, compiled: ReadonlyMap<string, PathPattern>): PathPattern {
    let entry = this.#patterns.get(source);
    if (entry === undefined) {
      entry = { pattern: compiled.get(source) ?? new PathPattern(source), uses: 0 };
      this.#patterns.set(source, entry);
    }
    entry.uses++;
    return entry.pattern;
  }

  #release(source: string): void {
    const entry = this.#patterns.get(source);
    if (entry !== undefined && --entry.uses === 0) this.#patterns.delete(source);
  }

  #place(candidate: Candidate): void {
    for (const prefix of candidate.prefixes ?? ['']) this.#tree.add(prefix, candidate, compareCandidates);
  }

  #removeCandidates(candidates: readonly Candidate[]): void {
    for (const candidate of candidates) {
      for (const prefix of candidate.prefixes ?? ['']) this.#tree.remove(prefix, candidate);
      this.#release(candidate.pattern);
    }
  }

  #changed(): void {
    this.#memo.clear();
    this.#ranked = undefined;
  }

  #rankedCandidates(): readonly Candidate[] {
    if (this.#ranked === undefined) {
      this.#ranked = [...this.#byRule.values()].flat().sort(compareCandidates);
    }
    return this.#ranked;
  }

  /** Every candidate whose bucket a path reaches, in rank order, each once. */
  *#reachable(path: string): Generator<Candidate> {
    const lists: Candidate[][] = [];
    this.#tree.collect(path, lists);
    const heads = lists.map(() => 0);
    let last: Candidate | undefined;
    for (;;) {
      const next = this.#nextInMerge(lists, heads);
      if (next === undefined) return;
      if (next !== last) yield next;
      last = next;
    }
  }

  /** Takes the best head among the lists (k-way merge by rank; k is small: the buckets on one path). */
  #nextInMerge(lists: readonly Candidate[][], heads: number[]): Candidate | undefined {
    let best: Candidate | undefined;
    let bestList = -1;
    for (let l = 0; l < lists.length; l++) {
      const head = (lists[l] as Candidate[])[heads[l] as number];
      // Weight decides almost every comparison; the full comparator breaks its ties.
      if (head !== undefined && (best === undefined || head.weight > best.weight || (head.weight === best.weight && compareCandidates(head, best) < 0))) {
        best = head;
        bestList = l;
      }
    }
    if (best !== undefined) heads[bestList] = (heads[bestList] as number) + 1;
    return best;
  }

  /** Candidates whose pattern matches, in rank order, through the first unconditional one. */
  #matchingCandidates(path: string): readonly Candidate[] {
    const lists = this.#lists;
    const heads = this.#heads;
    this.#tree.collect(path, lists);
    heads.length = lists.length;
    heads.fill(0);
    let matching: Candidate[] | undefined;
    let last: Candidate | undefined;
    for (;;) {
      const best = this.#nextInMerge(lists, heads);
      if (best === undefined) break;
      // A pattern with nested prefixes (`^/a(b)?`) sits in two buckets on one path.
      if (best === last) continue;
      last = best;
      if (!best.compiled.test(path)) continue;
      (matching ??= []).push(best);
      if (best.criteria.length === 0) break;
    }
    return matching ?? NO_CANDIDATES;
  }
}
