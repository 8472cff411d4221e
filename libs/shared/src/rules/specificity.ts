/**
 * How specific a path pattern is: the number of characters it matches literally, so
 * `^/products/shoes$` outranks `^/products/.*$`. Escaped metacharacters count as
 * literals; classes, quantified characters and anything inside a group (a group may be
 * an alternation or quantified as a whole) do not. The complete definition
 * (depth, verbose classes, explicit priority) arrives with the full rule engine (issue 3).
 */

const QUANTIFIERS = new Set(['*', '+', '?', '{']);
const META = new Set(['^', '$', '.', '|', '(', ')', '*', '+', '?', '{', '}', '[', ']']);
const ESCAPED_CLASSES = new Set(['d', 'D', 'w', 'W', 's', 'S', 'b', 'B']);

/** Characters a pattern matches literally; a quantified literal (`u?`) does not count. */
export function literalCount(pattern: string): number {
  let count = 0;
  let depth = 0;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i] as string;
    let literal = false;
    if (ch === '\\') {
      const next = pattern[++i];
      literal = next !== undefined && !ESCAPED_CLASSES.has(next);
    } else if (ch === '[') {
      while (i < pattern.length && pattern[i] !== ']') i += pattern[i] === '\\' ? 2 : 1;
    } else if (ch === '{') {
      while (i < pattern.length && pattern[i] !== '}') i++;
    } else if (ch === '(') {
      depth++;
    } else if (ch === ')') {
      depth = Math.max(0, depth - 1);
    } else {
      literal = !META.has(ch);
    }
    if (literal && depth === 0 && !QUANTIFIERS.has(pattern[i + 1] ?? '')) count++;
  }
  return count;
}

/** Weight added when a rule has conditions: a conditional rule outranks an equal one without. */
export const CONDITIONS_WEIGHT = 10;

export function specificity(pattern: string, hasConditions: boolean): number {
  return literalCount(pattern) + (hasConditions ? CONDITIONS_WEIGHT : 0);
}
