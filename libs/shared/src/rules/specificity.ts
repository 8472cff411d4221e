/**
 * How specific a path pattern is, read from its syntax tree rather than its text: the
 * number of characters every match must contain literally. A class that is a letter up
 * to case (`[pP]`) counts as that letter; other classes, `.`, optional parts and the
 * unbounded part of a quantifier count nothing; `x{3}` counts three; an alternation
 * counts its least specific branch. So `^/[pP]roducts$` and `^/products$` are equal, and
 * a verbose `^/\d{1,3}/[a-z]+$` (2) ranks below a short `^/about$` (6).
 */
import type { PatternNode } from './pattern-syntax.js';

export function fixedCharacters(node: PatternNode): number {
  switch (node.type) {
    case 'empty':
    case 'start':
    case 'end':
      return 0;
    case 'set':
      return node.set.literal() === undefined ? 0 : 1;
    case 'concat':
      return node.items.reduce((sum, item) => sum + fixedCharacters(item), 0);
    case 'alt':
      return Math.min(...node.branches.map(fixedCharacters));
    case 'repeat':
      return node.min * fixedCharacters(node.node);
  }
}
