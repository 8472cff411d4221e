/**
 * A path pattern compiled to a Thompson NFA program (the instructions both the lazy DFA and
 * the thread simulation run), and the bound on its size (issue 9 #8).
 */
import type { CharSet } from './char-set.js';
import { PatternSyntaxError, type PatternNode } from './pattern-syntax.js';

export const Op = { Char: 0, Split: 1, Jump: 2, Start: 3, End: 4, Match: 5 } as const;
export type Op = (typeof Op)[keyof typeof Op];

/** Bound on compiled instructions per pattern: it bounds the cost of computing one transition. */
export const MAX_PROGRAM_SIZE = 1000;

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

/** The automaton's size for a pattern (its instructions, Match included), without building it. */
export function automatonSize(node: PatternNode): number {
  return programSize(node) + 1;
}

/** Throws when a pattern's automaton would exceed MAX_PROGRAM_SIZE (checked before building it). */
export function assertProgramFits(node: PatternNode): void {
  if (automatonSize(node) > MAX_PROGRAM_SIZE) {
    throw new PatternSyntaxError(0, `pattern too large: it expands to more than ${MAX_PROGRAM_SIZE} automaton steps (reduce {n,m} counts)`);
  }
}

export class Program {
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

