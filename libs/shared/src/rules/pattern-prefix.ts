/**
 * Literal prefixes of a path pattern, for candidate narrowing: a set of strings such that
 * every path the pattern matches starts with one of them. `undefined` means the pattern
 * may match anywhere (not anchored with `^`), so it is a candidate for every path.
 *
 * Sound by construction: a quantifier, class or alternation contributes only what every
 * match must contain, so `^/colou?r/red$` yields `/color/red` and `/colour/red`, and both
 * branches of `^/a/b|^/c/d` are kept.
 */
import { anchoredAt } from './pattern-anchors.js';
import type { PatternNode } from './pattern-syntax.js';

/** More alternatives than this collapse to their common prefix. */
const MAX_PREFIXES = 16;

interface Literals {
  /** The node matches exactly these strings (not merely strings starting with them). */
  exact: boolean;
  strings: string[];
}

const EXACT_EMPTY: Literals = { exact: true, strings: [''] };
const ANYTHING: Literals = { exact: false, strings: [''] };

function commonPrefix(strings: readonly string[]): string {
  let prefix = strings[0] ?? '';
  for (const s of strings) while (!s.startsWith(prefix)) prefix = prefix.slice(0, -1);
  return prefix;
}

function capped(exact: boolean, strings: string[]): Literals {
  const unique = [...new Set(strings)];
  return unique.length <= MAX_PREFIXES ? { exact, strings: unique } : { exact: false, strings: [commonPrefix(unique)] };
}

function concat(left: Literals, right: Literals): Literals {
  if (left.strings.length * right.strings.length > MAX_PREFIXES) return { exact: false, strings: left.strings };
  return capped(
    right.exact,
    left.strings.flatMap((a) => right.strings.map((b) => a + b)),
  );
}

function literals(node: PatternNode): Literals {
  switch (node.type) {
    case 'empty':
    case 'start':
    case 'end':
      return EXACT_EMPTY;
    case 'set': {
      const literal = node.set.literal();
      return literal === undefined ? ANYTHING : { exact: true, strings: [literal] };
    }
    case 'concat': {
      let acc = EXACT_EMPTY;
      let run = '';
      for (const item of node.items) {
        // Runs of literal characters (the common case) extend every string at once.
        const literal = item.type === 'set' ? item.set.literal() : item.type === 'start' || item.type === 'empty' ? '' : undefined;
        if (literal !== undefined) {
          run += literal;
          continue;
        }
        if (run !== '') acc = concat(acc, { exact: true, strings: [run] });
        run = '';
        if (!acc.exact) break;
        acc = concat(acc, literals(item));
        if (!acc.exact) break;
      }
      return run === '' ? acc : concat(acc, { exact: true, strings: [run] });
    }
    case 'alt': {
      const all = node.branches.map(literals);
      return capped(
        all.every((l) => l.exact),
        all.flatMap((l) => l.strings),
      );
    }
    case 'repeat': {
      const inner = literals(node.node);
      if (node.min === 0) return node.max === 1 && inner.exact ? capped(true, ['', ...inner.strings]) : ANYTHING;
      let acc = inner;
      for (let i = 1; i < node.min && acc.exact; i++) acc = concat(acc, inner);
      return node.max === node.min ? acc : { exact: false, strings: acc.strings };
    }
  }
}

/** The literal prefixes of a case-folded pattern, lowercased; undefined when unanchored. */
export function literalPrefixes(node: PatternNode): readonly string[] | undefined {
  if (!anchoredAt('start', node)) return undefined;
  return literals(node).strings;
}
