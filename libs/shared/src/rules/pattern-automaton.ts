/**
 * Matches a parsed path pattern in time linear in the path: a Thompson NFA simulated as
 * a lazily built DFA (the RE2 approach). Each DFA state is the set of NFA threads alive
 * at one position; a transition is computed once (O(program size)) and then cached, so
 * a warm match is one array load per character and no allocation.
 *
 * Semantics are those of `RegExp.prototype.test` with the `i` flag: unanchored patterns
 * match anywhere, `^` only at the start and `$` only at the end of the path.
 *
 * Bounded work (issue 9 #8): a DFA step that is not cached costs O(program size), and a
 * pattern whose DFA outgrows MAX_DFA_STATES (`a.{0,99}b` needs ~2^99) may pay it on every
 * character. So program size is bounded per pattern (MAX_PROGRAM_SIZE) and per rule
 * (rule.ts), and rules see at most MAX_RULE_PATH_LENGTH characters: the worst case per
 * request is bounded whatever the pattern. Character classes cover all of UTF-16, so a
 * path of distinct non-ASCII characters is cached like ASCII.
 */
import { assertProgramFits, Op, Program } from './automaton-program.js';
import { CharClasses } from './char-classes.js';
import type { CharSet } from './char-set.js';
import type { PatternNode } from './pattern-syntax.js';
import { ThreadSimulation } from './thread-simulation.js';

export { assertProgramFits, automatonSize, MAX_PROGRAM_SIZE } from './automaton-program.js';

/** Bound on cached DFA states per pattern; when reached, the cache starts over. */
export const MAX_DFA_STATES = 1024;
/**
 * Bound on the work (program instructions) one match may spend computing DFA steps: past
 * it the DFA is not helping (its states outnumber what one path reuses) and the rest of the
 * path is read by simulating the NFA's threads directly, which costs O(live threads) per
 * character without allocating. A step costs about the program size, so big programs get
 * fewer steps (at least MIN_DFA_MISSES_PER_MATCH).
 */
const DFA_WORK_PER_MATCH = 16_384;
const MIN_DFA_MISSES_PER_MATCH = 16;

interface DfaState {
  /** Sorted pcs of the Char and End instructions alive here. */
  readonly threads: Int32Array;
  /** A thread reached Match: the pattern matches whatever follows. */
  readonly matched: boolean;
  /** Nothing is alive and nothing can start: the pattern cannot match. */
  readonly dead: boolean;
  /** The pattern matches if the path ends here (threads waiting on `$`). */
  readonly acceptsAtEnd: boolean;
  /** Cached transitions, by character class. */
  readonly next: Array<DfaState | undefined>;
}

export class PatternAutomaton {
  readonly #program = new Program();
  /** Code units → character classes (units no set tells apart share a class). */
  readonly #classes: CharClasses;
  /** Whether matches may begin after position 0 (the pattern is not fully `^`-anchored). */
  readonly #searches: boolean;
  readonly #matchesEmpty: boolean;
  readonly #states = new Map<string, DfaState>();
  #threads: ThreadSimulation | undefined;
  /** States by the seeds their closure started from (closures outside `^`/`$` only). */
  readonly #bySeeds = new Map<string, DfaState>();
  #initial: DfaState | undefined;
  // Scratch for closure computation, reused so a cache miss allocates only its result.
  readonly #mark: Uint32Array;
  #generation = 0;
  readonly #stack: number[] = [];

  readonly #maxMisses: number;

  /** `maxMissesPerMatch`: DFA steps one match may compute before simulating threads (tests lower it). */
  constructor(pattern: PatternNode, { maxMissesPerMatch }: { maxMissesPerMatch?: number } = {}) {
    assertProgramFits(pattern);
    this.#program.compile(pattern);
    this.#program.emit(Op.Match);
    this.#maxMisses = maxMissesPerMatch ?? Math.max(MIN_DFA_MISSES_PER_MATCH, Math.floor(DFA_WORK_PER_MATCH / this.#program.size));
    this.#mark = new Uint32Array(this.#program.size);
    this.#classes = new CharClasses(this.#program.sets);
    const restart = this.#closure([0], false, false);
    this.#searches = restart.threads.length > 0 || restart.matched;
    this.#matchesEmpty = this.#closure([0], true, true).matched;
  }

  #simulation(): ThreadSimulation {
    return (this.#threads ??= new ThreadSimulation(this.#program, this.#classes, this.#searches));
  }

  get programSize(): number {
    return this.#program.size;
  }

  /** Character classes: the DFA's alphabet. */
  get classCount(): number {
    return this.#classes.count;
  }

  /** Whether the pattern matches the input (as `RegExp.test` with the `i` flag). */
  test(input: string): boolean {
    // For the empty path the end is also the start (`^$`), which the cached states don't know.
    if (input.length === 0) return this.#matchesEmpty;
    let state = (this.#initial ??= this.#intern('I', this.#closure([0], true, false)));
    if (state.matched) return true;
    const classes = this.#classes;
    const ascii = classes.ascii;
    let misses = 0;
    for (let i = 0; i < input.length; i++) {
      const unit = input.charCodeAt(i);
      const cls = unit < 128 ? (ascii[unit] as number) : classes.of(unit);
      let next = state.next[cls];
      if (next === undefined) {
        if (++misses > this.#maxMisses) return this.#simulation().run(input, i, state.threads);
        next = this.#transition(state, cls);
      }
      state = next;
      if (state.matched) return true;
      if (state.dead) return false;
    }
    return state.acceptsAtEnd;
  }

  #transition(from: DfaState, cls: number): DfaState {
    const { op, x, sets } = this.#program;
    const unit = this.#classes.representative(cls);
    let seedKey = '';
    const seeds: number[] = [];
    for (const pc of from.threads) {
      if (op[pc] !== Op.Char || !(sets[pc] as CharSet).has(unit)) continue;
      seeds.push(x[pc] as number);
      seedKey += `${x[pc] as number},`;
    }
    if (this.#searches) seeds.push(0);
    // Many transitions share their seeds (most lead nowhere): their closure is computed once.
    let to = this.#bySeeds.get(seedKey);
    if (to === undefined) {
      if (this.#states.size >= MAX_DFA_STATES) {
        // Bounded memory: start the cache over. States already reached stay valid objects.
        this.#states.clear();
        this.#bySeeds.clear();
        this.#initial = undefined;
      }
      const closure = this.#closure(seeds, false, false);
      to = this.#intern(`${closure.matched ? 'M' : ''}${closure.threads.join(',')}`, closure);
      this.#bySeeds.set(seedKey, to);
    }
    from.next[cls] = to;
    return to;
  }

  #intern(key: string, closure: { threads: number[]; matched: boolean; endReachesMatch: boolean }): DfaState {
    const existing = this.#states.get(key);
    if (existing !== undefined) return existing;
    const state: DfaState = {
      threads: Int32Array.from(closure.threads),
      matched: closure.matched,
      dead: closure.threads.length === 0 && !closure.matched && !this.#searches,
      acceptsAtEnd: closure.matched || closure.endReachesMatch,
      next: new Array<DfaState | undefined>(this.#classes.count).fill(undefined),
    };
    this.#states.set(key, state);
    return state;
  }

  /**
   * Follows empty moves from the seeds. `atStart` lets `^` through; `atEnd` lets `$`
   * through (used to decide whether the path may end here).
   */
  #closure(seeds: number[], atStart: boolean, atEnd: boolean): { threads: number[]; matched: boolean; endReachesMatch: boolean } {
    const { op, x, y } = this.#program;
    const generation = ++this.#generation;
    const stack = this.#stack;
    const threads: number[] = [];
    let matched = false;
    let endReachesMatch = false;
    for (const seed of seeds) stack.push(seed);
    const ends: number[] = [];
    while (stack.length > 0) {
      const pc = stack.pop() as number;
      if (this.#mark[pc] === generation) continue;
      this.#mark[pc] = generation;
      switch (op[pc]) {
        case Op.Char:
          threads.push(pc);
          break;
        case Op.End:
          threads.push(pc);
          ends.push(pc);
          if (atEnd) stack.push(x[pc] as number);
          break;
        case Op.Split:
          stack.push(y[pc] as number, x[pc] as number);
          break;
        case Op.Jump:
          stack.push(x[pc] as number);
          break;
        case Op.Start:
          if (atStart) stack.push(x[pc] as number);
          break;
        case Op.Match:
          matched = true;
          break;
      }
    }
    if (!atEnd && ends.length > 0) endReachesMatch = this.#closure(ends.map((pc) => x[pc] as number), false, true).matched;
    threads.sort((a, b) => a - b);
    return { threads, matched, endReachesMatch };
  }
}
