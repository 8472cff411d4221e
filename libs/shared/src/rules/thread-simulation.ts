/**
 * Reads the rest of a path by simulating a pattern's NFA threads directly (Thompson's
 * algorithm): O(live threads) per character, no allocation, no caching. The DFA hands a
 * match over to it when its states are not being reused (issue 9 #8), so a pattern whose
 * DFA would explode costs at most its program size per character.
 */
import { Op, type Program } from './automaton-program.js';
import type { CharClasses } from './char-classes.js';
import type { CharSet } from './char-set.js';

const MAX_FOLLOW_ENTRIES = 65_536;

export class ThreadSimulation {
  readonly #op: Uint8Array;
  readonly #x: Int32Array;
  readonly #y: Int32Array;
  readonly #classes: CharClasses;
  /** Whether instruction `pc` (a Char) accepts class `cls`: `accept[pc * classCount + cls]`. */
  readonly #accept: Uint8Array;
  readonly #searches: boolean;
  #current: Int32Array;
  #next: Int32Array;
  #nextLength = 0;
  readonly #mark: Uint32Array;
  #generation = 0;
  readonly #stack: Int32Array;
  /** Per Char pc: the threads reading it leads to (closure of its successor), computed on first use. */
  readonly #follow: Array<Int32Array | undefined>;
  /** Per Char pc: 1 when its successor's closure reaches Match. */
  readonly #followMatches: Uint8Array;
  /** Entries all follow lists may hold; past it steps walk the closure instead (O(size²) memory otherwise). */
  #followBudget = MAX_FOLLOW_ENTRIES;

  constructor(program: Program, classes: CharClasses, searches: boolean) {
    const size = program.size;
    this.#op = Uint8Array.from(program.op);
    this.#x = Int32Array.from(program.x);
    this.#y = Int32Array.from(program.y);
    this.#classes = classes;
    this.#searches = searches;
    this.#accept = new Uint8Array(size * classes.count);
    for (let pc = 0; pc < size; pc++) {
      if (program.op[pc] !== Op.Char) continue;
      const set = program.sets[pc] as CharSet;
      for (let cls = 0; cls < classes.count; cls++) this.#accept[pc * classes.count + cls] = set.has(classes.representative(cls)) ? 1 : 0;
    }
    this.#current = new Int32Array(size);
    this.#next = new Int32Array(size);
    this.#mark = new Uint32Array(size);
    // Every instruction is visited once per step and pushes at most two.
    this.#stack = new Int32Array(2 * size + 2);
    this.#follow = new Array<Int32Array | undefined>(size).fill(undefined);
    this.#followMatches = new Uint8Array(size);
  }

  /** The follow list of a Char pc, or undefined once the budget for them is spent. */
  #computeFollow(pc: number): Int32Array | undefined {
    if (this.#followBudget <= 0) return undefined;
    const seen = new Uint8Array(this.#op.length);
    const out: number[] = [];
    const stack = [this.#x[pc] as number];
    let matches = 0;
    // Bounded: each instruction is expanded once.
    while (stack.length > 0) {
      const at = stack.pop() as number;
      if (seen[at] === 1) continue;
      seen[at] = 1;
      const op = this.#op[at];
      if (op === Op.Char || op === Op.End) out.push(at);
      else if (op === Op.Split) stack.push(this.#y[at] as number, this.#x[at] as number);
      else if (op === Op.Jump) stack.push(this.#x[at] as number);
      else if (op === Op.Match) matches = 1;
    }
    this.#followBudget -= out.length + 1;
    this.#followMatches[pc] = matches;
    const follow = Int32Array.from(out);
    this.#follow[pc] = follow;
    return follow;
  }

  /** Whether `input` matches, given the threads alive before `input[from]` (Char and End pcs). */
  run(input: string, from: number, threads: ArrayLike<number>): boolean {
    let current = this.#current;
    let length = threads.length;
    for (let t = 0; t < length; t++) current[t] = threads[t] as number;
    const op = this.#op;
    const x = this.#x;
    const accept = this.#accept;
    const count = this.#classes.count;
    const ascii = this.#classes.ascii;
    for (let i = from; i < input.length; i++) {
      const unit = input.charCodeAt(i);
      const cls = unit < 128 ? (ascii[unit] as number) : this.#classes.of(unit);
      this.#generation++;
      this.#nextLength = 0;
      const mark = this.#mark;
      const generation = this.#generation;
      for (let t = 0; t < length; t++) {
        const pc = current[t] as number;
        if (op[pc] !== Op.Char || accept[pc * count + cls] !== 1) continue;
        const follow = this.#follow[pc] ?? this.#computeFollow(pc);
        if (follow === undefined) {
          if (this.#add(x[pc] as number)) return true;
          continue;
        }
        if (this.#followMatches[pc] === 1) return true;
        for (let f = 0; f < follow.length; f++) {
          const to = follow[f] as number;
          if (mark[to] !== generation) {
            mark[to] = generation;
            this.#next[this.#nextLength++] = to;
          }
        }
      }
      if (this.#searches && this.#add(0)) return true;
      // Swap the thread lists.
      const next = this.#next;
      this.#next = current;
      this.#current = next;
      current = next;
      length = this.#nextLength;
      if (length === 0 && !this.#searches) return false;
    }
    return this.#acceptsAtEnd(current, length);
  }

  /** Adds the threads reachable from `start` without reading; true when one reaches Match. */
  #add(start: number): boolean {
    const op = this.#op;
    const x = this.#x;
    const y = this.#y;
    const mark = this.#mark;
    const generation = this.#generation;
    const stack = this.#stack;
    let top = 0;
    stack[top++] = start;
    while (top > 0) {
      const pc = stack[--top] as number;
      if (mark[pc] === generation) continue;
      mark[pc] = generation;
      switch (op[pc]) {
        case Op.Char:
        case Op.End:
          this.#next[this.#nextLength++] = pc;
          break;
        case Op.Split:
          stack[top++] = y[pc] as number;
          stack[top++] = x[pc] as number;
          break;
        case Op.Jump:
          stack[top++] = x[pc] as number;
          break;
        case Op.Match:
          return true;
        // Op.Start: only the DFA's initial state is at the start of the path.
      }
    }
    return false;
  }

  /** At the end of the path `$` holds: does a waiting thread reach Match? */
  #acceptsAtEnd(threads: Int32Array, length: number): boolean {
    this.#generation++;
    for (let t = 0; t < length; t++) {
      const pc = threads[t] as number;
      if (this.#op[pc] === Op.End && this.#endReaches(this.#x[pc] as number)) return true;
    }
    return false;
  }

  #endReaches(start: number): boolean {
    const stack = this.#stack;
    let top = 0;
    stack[top++] = start;
    while (top > 0) {
      const pc = stack[--top] as number;
      if (this.#mark[pc] === this.#generation) continue;
      this.#mark[pc] = this.#generation;
      const op = this.#op[pc];
      if (op === Op.Match) return true;
      if (op === Op.Split) {
        stack[top++] = this.#y[pc] as number;
        stack[top++] = this.#x[pc] as number;
      } else if (op === Op.Jump || op === Op.End) stack[top++] = this.#x[pc] as number;
    }
    return false;
  }
}
