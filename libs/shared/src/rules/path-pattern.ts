/**
 * A rule's path pattern, compiled once: the linear-time automaton that matches it, the
 * literal prefixes that place it in the rule index, and its specificity.
 *
 * Rules see normalized paths, which never end in `/` (except `/` itself), so a pattern
 * branch ending in `/$` could never match; it is read as ending in `$` instead
 * (`^/products/$` matches `/products`).
 */
import { PatternAutomaton } from './pattern-automaton.js';
import { literalPrefixes } from './pattern-prefix.js';
import { parsePattern, type PatternNode } from './pattern-syntax.js';
import { anchoredAtEnd, fixedCharacters } from './specificity.js';

export interface PathPattern {
  /** As the admin wrote it. */
  readonly source: string;
  readonly automaton: PatternAutomaton;
  /** Every matched path starts with one of these; undefined: may match anywhere. */
  readonly prefixes: readonly string[] | undefined;
  /** Characters every match fixes literally (see specificity.ts). */
  readonly fixedCharacters: number;
  /** Every match runs to the end of the path. */
  readonly exact: boolean;
}

function isSlash(node: PatternNode | undefined): boolean {
  return node?.type === 'set' && node.set.literal() === '/';
}

/** Drops a `/` right before a final `$`, unless it is the whole path (`^/$`). */
function withoutTrailingSlash(branch: PatternNode): PatternNode {
  if (branch.type !== 'concat') return branch;
  const items = branch.items;
  const n = items.length;
  if (n < 2 || items[n - 1]?.type !== 'end' || !isSlash(items[n - 2])) return branch;
  const before = items.slice(0, n - 2).filter((item) => item.type !== 'empty');
  if (before.every((item) => item.type === 'start')) return branch;
  return { type: 'concat', items: [...items.slice(0, n - 2), items[n - 1] as PatternNode] };
}

function normalize(node: PatternNode): PatternNode {
  return node.type === 'alt' ? { type: 'alt', branches: node.branches.map(withoutTrailingSlash) } : withoutTrailingSlash(node);
}

/** Compiles a pattern, or throws PatternSyntaxError naming the position and problem. */
export function compilePathPattern(source: string): PathPattern {
  const node = normalize(parsePattern(source));
  return {
    source,
    automaton: new PatternAutomaton(node),
    prefixes: literalPrefixes(node),
    fixedCharacters: fixedCharacters(node),
    exact: anchoredAtEnd(node),
  };
}
