/**
 * A rule's path pattern, compiled once: the literal prefixes that place it in the rule
 * index, its specificity, and (built on first use, since most patterns never see most
 * paths) the linear-time automaton that matches it.
 *
 * Rules see normalized paths, which never end in `/` (except `/` itself), so a pattern
 * branch ending in `/$` could never match; it is read as ending in `$` instead
 * (`^/products/$` matches `/products`).
 */
import { anchoredAt } from './pattern-anchors.js';
import { assertProgramFits, automatonSize, PatternAutomaton } from './pattern-automaton.js';
import { literalPrefixes } from './pattern-prefix.js';
import { parsePattern, type PatternNode } from './pattern-syntax.js';
import { fixedCharacters } from './specificity.js';

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

export class PathPattern {
  /** As the admin wrote it. */
  readonly source: string;
  /** Every matched path starts with one of these; undefined: may match anywhere. */
  readonly prefixes: readonly string[] | undefined;
  /** Characters every match fixes literally (see specificity.ts). */
  readonly fixedCharacters: number;
  /** Every match runs to the end of the path. */
  readonly exact: boolean;
  /** Automaton instructions: the most work one uncached step over one character can take. */
  readonly size: number;
  readonly #node: PatternNode;
  #automaton: PatternAutomaton | undefined;

  /** Parses and checks a pattern, or throws PatternSyntaxError naming the position and problem. */
  constructor(source: string) {
    const node = normalize(parsePattern(source));
    assertProgramFits(node);
    this.size = automatonSize(node);
    this.source = source;
    this.#node = node;
    this.prefixes = literalPrefixes(node);
    this.fixedCharacters = fixedCharacters(node);
    this.exact = anchoredAt('end', node);
  }

  get automaton(): PatternAutomaton {
    return (this.#automaton ??= new PatternAutomaton(this.#node));
  }

  /** Whether the pattern matches a normalized path. */
  test(path: string): boolean {
    return this.automaton.test(path);
  }
}
