/**
 * Matches a parsed path pattern in time linear in the path: a Thompson NFA simulated as
 * a lazily built DFA (the RE2 approach). Each DFA state is the set of NFA threads alive
 * at one position; a transition is computed once (O(program size)) and then cached, so
 * a warm match is one array load per character and no allocation.
 *
 * Semantics are those of `RegExp.prototype.test` with the `i` flag: unanchored patterns
 * match anywhere, `^` only at the start and `$` only at the end of the path.
 */
import type { CharSet } from './char-set.js';
import { PatternSyntaxError, type PatternNode } from './pattern-syntax.js';

const enum Op {
  Char,
  Split,
  Jump,
  Start,
  End,
  Match,
}

/** Bound on compiled instructions: it bounds the per-character cost of a cache miss. */
export const MAX_PROGRAM_SIZE = 2000;
/** Bound on cached DFA states per pattern; when reached, the cache starts over. */
const MAX_DFA_STATES = 512;
/**
 * Bound on cached transitions per state for code units beyond ASCII: a path of thousands of
 * distinct characters must not grow memory; past it such steps are computed, not cached.
 */
const MAX_NON_ASCII_TRANSITIONS = 64;

/** The instructions `Program.compile` emits for a node, without emitting them. */
function programSize(node: PatternNode): number {
  switch (node.type) {
    case 'empty':
      return 0;
    case 'set':
    case 'start':
    case 'end':
      return 1;
    case 'concat':
      return node.items.reduce((sum, item) => sum + programSize(item), 0);
    case 'alt':
      return node.branches.reduce((sum, branch) => sum + programSize(branch), 0) + 2 * (node.branches.length - 1);
    case 'repeat': {
      const inner = programSize(node.node);
      return node.min * inner + (node.max === Infinity ? inner + 2 : (node.max - node.min) * (inner + 1));
    }
  }
}

/** Throws when a pattern's automaton would exceed MAX_PROGRAM_SIZE (checked before building it). */
export function assertProgramFits(node: PatternNode): void {
  if (programSize(node) + 1 > MAX_PROGRAM_SIZE) {
    throw new PatternSyntaxError(0, `pattern too large: it expands to more than ${MAX_PROGRAM_SIZE} automaton steps (reduce {n,m} counts)`);
  }
}

class Program {
  readonly op: Op[] = [];
  /** Next instruction (Char, Jump, Start, End) or first branch (Split). */
  readonly x: number[] = [];
  /** Second branch of a Split. */
  readonly y: number[] = [];
  readonly sets: Array<CharSet | undefined> = [];

  emit(op: Op, set?: CharSet): number {
    const pc = this.op.length;
    this.op.push(op);
    this.x.push(pc + 1);
    this.y.push(-1);
    this.sets.push(set);
    return pc;
  }

  get size(): number {
    return this.op.length;
  }

  compile(node: PatternNode): void {
    switch (node.type) {
      case 'empty':
        return;
      case 'set':
        this.emit(Op.Char, node.set);
        return;
      case 'start':
        this.emit(Op.Start);
        return;
      case 'end':
        this.emit(Op.End);
        return;
      case 'concat':
        for (const item of node.items) this.compile(item);
        return;
      case 'alt': {
        const jumps: number[] = [];
        node.branches.forEach((branch, i) => {
          if (i === node.branches.length - 1) return this.compile(branch);
          const split = this.emit(Op.Split);
          this.compile(branch);
          jumps.push(this.emit(Op.Jump));
          this.y[split] = this.size;
        });
        for (const jump of jumps) this.x[jump] = this.size;
        return;
      }
      case 'repeat': {
        for (let i = 0; i < node.min; i++) this.compile(node.node);
        if (node.max === Infinity) {
          const split = this.emit(Op.Split);
          this.compile(node.node);
          this.x[this.emit(Op.Jump)] = split;
          this.y[split] = this.size;
          return;
        }
        const splits: number[] = [];
        for (let i = node.min; i < node.max; i++) {
          splits.push(this.emit(Op.Split));
          this.compile(node.node);
        }
        for (const split of splits) this.y[split] = this.size;
        return;
      }
    }
  }
}

interface DfaState {
  /** Sorted pcs of the Char and End instructions alive here. */
  readonly threads: Int32Array;
  /** A thread reached Match: the pattern matches whatever follows. */
  readonly matched: boolean;
  /** Nothing is alive and nothing can start: the pattern cannot match. */
  readonly dead: boolean;
  /** The pattern matches if the path ends here (threads waiting on `$`). */
  readonly acceptsAtEnd: boolean;
  /** Cached transitions for ASCII, by character class. */
  readonly next: Array<DfaState | undefined>;
  /** Cached transitions for other code units. */
  nonAscii: Map<number, DfaState> | undefined;
}

export class PatternAutomaton {
  readonly #program = new Program();
  /** ASCII code unit → character class (units no set tells apart share a class). */
  readonly #classOf = new Uint8Array(128);
  readonly #classCount: number;
  /** Whether matches may begin after position 0 (the pattern is not fully `^`-anchored). */
  readonly #searches: boolean;
  readonly #matchesEmpty: boolean;
  readonly #states = new Map<string, DfaState>();
  #initial: DfaState | undefined;
  // Scratch for closure computation, reused so a cache miss allocates only its result.
  readonly #mark: Uint32Array;
  #generation = 0;
  readonly #stack: number[] = [];

  constructor(pattern: PatternNode) {
    assertProgramFits(pattern);
    this.#program.compile(pattern);
    this.#program.emit(Op.Match);
    this.#mark = new Uint32Array(this.#program.size);
    this.#classCount = this.#buildClasses();
    const restart = this.#closure([0], false, false);
    this.#searches = restart.threads.length > 0 || restart.matched;
    this.#matchesEmpty = this.#closure([0], true, true).matched;
  }

  get programSize(): number {
    return this.#program.size;
  }

  /** Whether the pattern matches the input (as `RegExp.test` with the `i` flag). */
  test(input: string): boolean {
    // For the empty path the end is also the start (`^$`), which the cached states don't know.
    if (input.length === 0) return this.#matchesEmpty;
    let state = (this.#initial ??= this.#intern('I', this.#closure([0], true, false)));
    if (state.matched) return true;
    for (let i = 0; i < input.length; i++) {
      const unit = input.charCodeAt(i);
      const cached = unit < 128 ? state.next[this.#classOf[unit] as number] : state.nonAscii?.get(unit);
      state = cached ?? this.#transition(state, unit);
      if (state.matched) return true;
      if (state.dead) return false;
    }
    return state.acceptsAtEnd;
  }

  /**
   * Partitions ASCII into classes no set tells apart, by refining one set at a time:
   * each class splits into its members inside and outside the set.
   */
  #buildClasses(): number {
    const seen = new Set<CharSet>();
    const inside = new Uint8Array(128);
    const remap = new Int16Array(256);
    let count = 1;
    for (const set of this.#program.sets) {
      if (set === undefined || seen.has(set)) continue;
      seen.add(set);
      inside.fill(0);
      const ranges = set.ranges;
      for (let r = 0; r < ranges.length && (ranges[r] as number) < 128; r += 2) {
        inside.fill(1, ranges[r] as number, Math.min(128, (ranges[r + 1] as number) + 1));
      }
      remap.fill(-1, 0, count * 2);
      let next = 0;
      for (let unit = 0; unit < 128; unit++) {
        const key = (this.#classOf[unit] as number) * 2 + (inside[unit] as number);
        if ((remap[key] as number) < 0) remap[key] = next++;
        this.#classOf[unit] = remap[key] as number;
      }
      count = next;
    }
    return count;
  }

  #transition(from: DfaState, unit: number): DfaState {
    const { op, x, sets } = this.#program;
    const seeds: number[] = [];
    for (const pc of from.threads) {
      if (op[pc] === Op.Char && (sets[pc] as CharSet).has(unit)) seeds.push(x[pc] as number);
    }
    if (this.#searches) seeds.push(0);
    const closure = this.#closure(seeds, false, false);
    if (this.#states.size >= MAX_DFA_STATES) {
      // Bounded memory: start the cache over. States already reached stay valid objects.
      this.#states.clear();
      this.#initial = undefined;
    }
    const to = this.#intern(`${closure.matched ? 'M' : ''}${closure.threads.join(',')}`, closure);
    if (unit < 128) from.next[this.#classOf[unit] as number] = to;
    else if ((from.nonAscii ??= new Map()).size < MAX_NON_ASCII_TRANSITIONS) from.nonAscii.set(unit, to);
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
      next: new Array<DfaState | undefined>(this.#classCount).fill(undefined),
      nonAscii: undefined,
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
