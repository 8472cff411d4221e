/**
 * Whether every match of a pattern is anchored at the start (`^`: it can only begin at
 * position 0, so its literal prefixes place it in the index) or at the end (`$`: an exact
 * pattern, which ranks above an open-ended one).
 */
import type { PatternNode } from './pattern-syntax.js';

export function anchoredAt(side: 'start' | 'end', node: PatternNode): boolean {
  switch (node.type) {
    case 'start':
    case 'end':
      return node.type === side;
    case 'concat': {
      const items = node.items.filter((item) => item.type !== 'empty');
      const edge = side === 'start' ? items[0] : items[items.length - 1];
      return edge !== undefined && anchoredAt(side, edge);
    }
    case 'alt':
      return node.branches.every((branch) => anchoredAt(side, branch));
    case 'repeat':
      return node.min > 0 && anchoredAt(side, node.node);
    default:
      return false;
  }
}
